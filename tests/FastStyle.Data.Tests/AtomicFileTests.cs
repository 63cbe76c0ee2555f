using System.Text;

namespace FastStyle.Data.Tests;

public sealed class AtomicFileTests : IDisposable
{
    readonly TempDir dir = new();
    public void Dispose() => dir.Dispose();

    [Fact]
    public void Write_creates_the_file_with_the_content()
    {
        string path = dir.File("a.bin");
        AtomicFile.Write(path, s => s.Write([1, 2, 3, 250]));
        Assert.Equal(new byte[] { 1, 2, 3, 250 }, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFileSystemEntries(dir.Root));
    }

    [Fact]
    public void Write_replaces_an_existing_file_and_creates_missing_folders()
    {
        string path = dir.File("x", "y", "out.txt");
        AtomicFile.WriteAllText(path, "first version, rather long");
        AtomicFile.WriteAllText(path, "second");
        Assert.Equal("second", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFileSystemEntries(dir.File("x", "y")));
    }

    [Fact]
    public void WriteAllBytes_copies_the_span()
    {
        string path = dir.File("b.bin");
        var bytes = Enumerable.Range(0, 100_000).Select(i => (byte)(i * 7)).ToArray();
        AtomicFile.WriteAllBytes(path, bytes);
        Assert.Equal(bytes, File.ReadAllBytes(path));
    }

    [Fact]
    public void Failing_writer_leaves_the_original_unchanged_and_no_temp_files()
    {
        string path = dir.File("model.safetensors");
        File.WriteAllText(path, "original");

        var e = Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.Write(Encoding.UTF8.GetBytes("half-written new content"));
            s.Flush();
            throw new InvalidOperationException("boom");
        }));

        Assert.Equal("boom", e.Message);
        Assert.Equal("original", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFileSystemEntries(dir.Root));
    }

    [Fact]
    public void Failing_writer_for_a_new_file_creates_nothing()
    {
        string path = dir.File("new.png");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s => { s.WriteByte(1); throw new InvalidOperationException(); }));
        Assert.False(File.Exists(path));
        Assert.Empty(Directory.GetFileSystemEntries(dir.Root));
    }

    [Fact]
    public void IO_failure_in_the_writer_becomes_a_user_error_naming_the_path()
    {
        string path = dir.File("out.jpg");
        File.WriteAllText(path, "original");
        var e = Assert.Throws<FastStyleError>(() => AtomicFile.Write(path, _ => throw new IOException("disk full")));
        Assert.Contains(path, e.Message);
        Assert.Contains("disk full", e.Message);
        Assert.Equal("original", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFileSystemEntries(dir.Root));
    }

    [Fact]
    public void Folder_that_cannot_be_created_is_a_user_error()
    {
        string blocker = dir.File("blocker");
        File.WriteAllText(blocker, "a file where a folder should be");
        string path = Path.Combine(blocker, "sub", "out.png");
        var e = Assert.Throws<FastStyleError>(() => AtomicFile.WriteAllText(path, "x"));
        Assert.Contains(path, e.Message);
        Assert.Equal("a file where a folder should be", File.ReadAllText(blocker));
    }

    [Fact]
    public void Readers_during_the_write_see_the_old_content()
    {
        string path = dir.File("c.txt");
        File.WriteAllText(path, "old");
        string? seenDuringWrite = null;
        AtomicFile.Write(path, s =>
        {
            s.Write("new content"u8);
            s.Flush();
            seenDuringWrite = File.ReadAllText(path);
        });
        Assert.Equal("old", seenDuringWrite);
        Assert.Equal("new content", File.ReadAllText(path));
    }
}
