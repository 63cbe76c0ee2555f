using FastStyle.Data.Imaging;
using FastStyle.Training.Tests;

namespace FastStyle.Hostile.Tests;

/// <summary>Item 2: an output path that is an input is refused unless --overwrite; the input keeps its bytes.</summary>
public class OverwriteTests
{
    [Fact]
    public void Stylize_onto_its_own_input_is_refused()
    {
        using var dir = new TempDir();
        string photo = Fixtures.WriteImage(dir.File("a.png"), 24, 24, 1);
        string model = HostileFixtures.WriteTinyModel(dir.Path);
        var before = Snapshot.Of(dir.Path);
        Cli.Run("stylize", photo, "-o", photo, "--model", model).AssertOneLineError(2, "a.png", "--overwrite");
        Snapshot.AssertUnchanged(before, dir.Path);
    }

    [Fact]
    public void Stylize_a_folder_into_itself_is_refused_and_allowed_with_overwrite()
    {
        using var dir = new TempDir();
        string photos = HostileFixtures.WritePhotoFolder(dir.Path, ("a.png", 24, 24), ("b.png", 24, 24));
        string model = HostileFixtures.WriteTinyModel(dir.Path);
        var before = Snapshot.Of(dir.Path);

        Cli.Run("stylize", photos, "-o", photos, "--model", model).AssertOneLineError(2, "a.png", "--overwrite");
        Snapshot.AssertUnchanged(before, dir.Path);

        Assert.Equal(0, Cli.Run("stylize", photos, "-o", photos, "--model", model, "--overwrite").Code);
        Assert.NotEqual(before["photos/a.png"], Snapshot.Of(dir.Path)["photos/a.png"]);
    }

    [Fact]
    public void Optimize_output_equal_to_its_content_is_refused()
    {
        using var dir = new TempDir();
        string content = Fixtures.WriteImage(dir.File("a.jpg"), 24, 24, 1);
        string style = Fixtures.WriteImage(dir.File("s.png"), 24, 24, 2);
        string loss = Fixtures.WriteTinyLossYaml(dir.Path);
        var before = Snapshot.Of(dir.Path);
        Cli.Run("optimize", "-c", content, "-s", style, "-o", content, "--vgg", Fixtures.TinyVggPath, "--loss", loss, "--iterations", "1")
            .AssertOneLineError(2, "a.jpg", "--overwrite");
        Snapshot.AssertUnchanged(before, dir.Path);
    }

    [Fact]
    public void Evaluate_json_onto_a_photo_is_refused()
    {
        using var dir = new TempDir();
        string photo = Fixtures.WriteImage(dir.File("a.png"), 24, 24, 1);
        string loss = Fixtures.WriteTinyLossYaml(dir.Path);
        var before = Snapshot.Of(dir.Path);
        Cli.Run("evaluate", "-s", photo, "-c", photo, "--stylized", photo, "--vgg", Fixtures.TinyVggPath, "--loss", loss, "--json", photo)
            .AssertOneLineError(2, "a.png", "--overwrite");
        Snapshot.AssertUnchanged(before, dir.Path);
        Assert.True(ImageFile.ReadInfo(photo).Width == 24);
    }
}
