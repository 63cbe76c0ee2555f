using FastStyle.Data.Imaging;
using FastStyle.Inference;
using FastStyle.Training.Tests;

namespace FastStyle.Hostile.Tests;

/// <summary>Items 13 and 14 (text file named .jpg, batch errors): stylize stops between tiles and names failing files.</summary>
public class StylizeTests
{
    [Fact]
    public void Cancelling_during_one_tiled_image_stops_after_the_current_tile()
    {
        using var dir = new TempDir();
        using var stylizer = Stylizer.Load(HostileFixtures.WriteTinyModel(dir.Path));
        var image = Fixtures.SmoothImage(300, 200, 1);
        var settings = StyleSettings.Default with { TileSize = 100, TileOverlap = 16 };
        using var cancel = new CancellationTokenSource();
        var progress = new List<(int Done, int Total)>();

        Assert.ThrowsAny<OperationCanceledException>(() => stylizer.Stylize(image, settings, cancel.Token, (done, total) =>
        {
            progress.Add((done, total));
            cancel.Cancel(); // as Ctrl+C arriving while the first tile runs
        }));

        var only = Assert.Single(progress);
        Assert.Equal(1, only.Done);
        Assert.True(only.Total >= 6, $"expected several tiles, got {only.Total}");
    }

    [Fact]
    public void Cancelled_batch_writes_nothing_for_the_abandoned_image()
    {
        using var dir = new TempDir();
        using var stylizer = Stylizer.Load(HostileFixtures.WriteTinyModel(dir.Path));
        string a = Fixtures.WriteImage(dir.File("a.png"), 300, 200, 1);
        string b = Fixtures.WriteImage(dir.File("b.png"), 300, 200, 2);
        var items = StylizeJob.Plan([a, b], dir.File("out") + "/", SkiaImageCodec.Instance);
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        var outcomes = StylizeJob.Run(stylizer, items, StyleSettings.Default with { TileSize = 100, TileOverlap = 16 }, null, SkiaImageCodec.Instance, null, cancel.Token);
        Assert.Empty(outcomes);
        Assert.False(Directory.Exists(dir.File("out")) && Directory.EnumerateFileSystemEntries(dir.File("out")).Any());
    }

    [Fact]
    public void Text_file_named_jpg_is_not_an_image_rather_than_truncated()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("notes.jpg"), "hello, this is text");
        string model = HostileFixtures.WriteTinyModel(dir.Path);
        var before = Snapshot.Of(dir.Path);
        string line = Cli.Run("stylize", dir.File("notes.jpg"), "-o", dir.File("out.png"), "--model", model)
            .AssertOneLineError(2, "notes.jpg", "not an image file");
        Assert.DoesNotContain("truncated", line);
        Snapshot.AssertUnchanged(before, dir.Path);
    }

    [Fact]
    public void Failing_file_in_a_batch_is_named_in_its_error_line()
    {
        using var dir = new TempDir();
        string photos = HostileFixtures.WritePhotoFolder(dir.Path, ("good.png", 24, 24), ("tiny.png", 3, 3));
        string model = HostileFixtures.WriteTinyModel(dir.Path);
        var before = Snapshot.Of(photos);
        var run = Cli.Run("stylize", photos, "-o", dir.File("out"), "--model", model);
        Assert.Equal(2, run.Code);
        Assert.Contains(run.ErrorLines, l => l.Contains("tiny.png") && l.Contains("too small"));
        Assert.True(File.Exists(Path.Combine(dir.File("out"), "good.png")));
        Snapshot.AssertUnchanged(before, photos);
    }
}
