namespace FastStyle.Inference;

/// <summary>
/// Writes a whole file or nothing: the bytes go to a temporary file in the target's folder, then
/// a rename replaces the target. A crash mid-write (or a reader polling for the model during
/// training) never sees a truncated model. Same folder because a rename is only atomic within
/// one file system (POSIX rename(2); File.Move with overwrite maps to it on Unix).
/// </summary>
internal static class AtomicFile
{
    public static void WriteAllBytes(string path, byte[] bytes)
    {
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(folder);
        string temp = Path.Combine(folder, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }
}
