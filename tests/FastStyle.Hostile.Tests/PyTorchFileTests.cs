using FastStyle.Training.Tests;

namespace FastStyle.Hostile.Tests;

/// <summary>Issue 15 through the command line: .pth files in, .pth files out, hostile ones refused in one line.</summary>
public class PyTorchFileTests
{
    static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "pth", name);

    [Fact]
    public void Import_of_a_pickle_that_calls_python_is_one_line_and_writes_nothing()
    {
        using var dir = new TempDir();
        Cli.Run("import", Fixture("malicious_global.pth"), "-o", dir.File("m.onnx"))
            .AssertOneLineError(2, "malicious_global.pth", "posix.system", "nothing was run");
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }

    [Fact]
    public void Optimize_with_a_truncated_pth_vgg_is_one_line_naming_it()
    {
        using var dir = new TempDir();
        byte[] bytes = File.ReadAllBytes(Fixture("vgg19_features_tiny.pth"));
        File.WriteAllBytes(dir.File("vgg.pth"), bytes[..1000]);
        var image = HostileFixtures.WritePhotoFolder(dir.Path, ("c.png", 32, 32));
        Cli.Run("optimize", "--content", Path.Combine(image, "c.png"), "--style", Path.Combine(image, "c.png"), "--output", dir.File("o.png"),
                "--vgg", dir.File("vgg.pth"), "--iterations", "1")
            .AssertOneLineError(2, "vgg.pth", "truncated");
    }

    [Fact]
    public void Import_from_the_command_line_writes_a_parity_checked_model()
    {
        using var dir = new TempDir();
        var import = Cli.Run("import", Fixture("transformer_w4.pth"), "-o", dir.File("w4.onnx"), "--name", "w4");
        Assert.Equal(0, import.Code);
        Assert.Equal("w4", FastStyle.Inference.ModelMetadata.ReadFromOnnx(dir.File("w4.onnx")).StyleName);
    }
}
