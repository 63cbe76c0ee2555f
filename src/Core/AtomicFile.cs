namespace FastStyle.Data;

/// <summary>
/// Writes a file so that readers only ever see the old file or the complete new one: the bytes go
/// to a temp file in the same folder, which is then renamed over the target (rename is atomic on
/// one file system). An interrupted run never leaves a half-written image, model or checkpoint.
/// </summary>
public static class AtomicFile
{
    public static void Write(string path, Action<Stream> write) => Write(path, write, probeOnly: false);

    static void Write(string path, Action<Stream> write, bool probeOnly)
    {
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full)!;
        try { Directory.CreateDirectory(directory); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FastStyleError($"output '{path}': cannot create folder '{directory}' ({e.Message})", e);
        }
        string temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: false);
            }
            if (probeOnly) File.Delete(temp);
            else File.Move(temp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            // The OS message names the temp file, which the user never asked for and which is gone now.
            throw new FastStyleError($"output '{path}': cannot write ({e.Message.Replace(temp, full).ReplaceLineEndings(" ")})", e);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>
    /// Fails now, with the same one-line error a write would give, when <paramref name="path"/> cannot
    /// be written (a folder in its place, a missing or read-only parent): commands check their outputs
    /// before hours of work rather than after. Leaves no file behind.
    /// </summary>
    public static void CheckWritable(string path)
    {
        if (Directory.Exists(path)) throw new FastStyleError($"output '{path}': is a folder, expected a file path");
        Write(path, _ => { }, probeOnly: true);
    }

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        byte[] copy = bytes.ToArray();
        Write(path, s => s.Write(copy));
    }

    public static void WriteAllText(string path, string text)
        => WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text));

    static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
