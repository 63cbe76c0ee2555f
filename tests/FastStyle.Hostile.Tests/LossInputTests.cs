using FastStyle.Data;
using FastStyle.Data.Weights;
using FastStyle.Training.Losses;
using FastStyle.Training.Tests;

namespace FastStyle.Hostile.Tests;

/// <summary>Items 6, 7, 14 (NaN VGG, write errors) and 15: inputs the loss network cannot use, and outputs checked before the work.</summary>
public class LossInputTests
{
    /// <summary>Style up to relu3_1: two poolings, so images need at least 4x4 pixels.</summary>
    const string DeepLossYaml = """
        network: vgg19
        content_layers: {relu2_2: 1}
        style_layers: {relu1_1: 0.5, relu3_1: 0.5}
        content_weight: 1
        style_weight: 1e6
        """;

    static string Write(TempDir dir, string name, string text)
    {
        File.WriteAllText(dir.File(name), text);
        return dir.File(name);
    }

    [Fact]
    public void Minimum_side_follows_the_poolings_before_the_deepest_layer()
    {
        Assert.Equal(16, LossConfig.GatysDefaults.MinimumImageSide); // relu5_1: four poolings
        Assert.Equal(8, LossConfig.TrainingDefaults.MinimumImageSide); // relu4_1: three
    }

    [Fact]
    public void Panorama_too_thin_for_the_poolings_names_the_image_and_the_minimum()
    {
        using var dir = new TempDir();
        string panorama = Fixtures.WriteImage(dir.File("panorama.png"), 120, 4, 1);
        string style = Fixtures.WriteImage(dir.File("style.png"), 32, 32, 2);
        string loss = Write(dir, "loss.yaml", DeepLossYaml);
        var before = Snapshot.Of(dir.Path);
        Cli.Run("optimize", "-c", panorama, "-s", style, "-o", dir.File("out.png"), "--vgg", Fixtures.TinyVggPath, "--loss", loss, "--size", "60", "--iterations", "1")
            .AssertOneLineError(2, "panorama.png", "60x2", "4x4");
        Snapshot.AssertUnchanged(before, dir.Path);
    }

    [Fact]
    public void Evaluate_at_a_size_too_small_for_the_poolings_is_one_line()
    {
        using var dir = new TempDir();
        string image = Fixtures.WriteImage(dir.File("a.png"), 32, 32, 1);
        string loss = Write(dir, "loss.yaml", DeepLossYaml);
        Cli.Run("evaluate", "-s", image, "-c", image, "--stylized", image, "--vgg", Fixtures.TinyVggPath, "--loss", loss, "--size", "2")
            .AssertOneLineError(2, "a.png", "2x2", "4x4");
    }

    [Fact]
    public void Infinite_loss_is_an_error_and_writes_neither_image_nor_metrics()
    {
        using var dir = new TempDir();
        string content = Fixtures.WriteImage(dir.File("c.png"), 16, 16, 1);
        string style = Fixtures.WriteImage(dir.File("s.png"), 16, 16, 2);
        string loss = Write(dir, "loss.yaml", Fixtures.TinyLossYaml.Replace("style_weight: 1e6", "style_weight: 1e300"));
        var before = Snapshot.Of(dir.Path);
        Cli.Run("optimize", "-c", content, "-s", style, "-o", dir.File("out.png"), "--metrics", dir.File("m.json"),
                "--vgg", Fixtures.TinyVggPath, "--loss", loss, "--size", "16", "--iterations", "3")
            .AssertOneLineError(2, "loss became", "style", "nothing written");
        Snapshot.AssertUnchanged(before, dir.Path);
    }

    [Fact]
    public void Vgg_with_a_NaN_weight_is_refused_at_load_naming_the_tensor()
    {
        using var dir = new TempDir();
        var tensors = Fixtures.RandomVggTensors(Fixtures.TinyVggConvs);
        tensors[2].Values[7] = float.NaN; // features.2.weight
        string vgg = dir.File("nan.safetensors");
        SafetensorsFile.Write(vgg, tensors);
        string content = Fixtures.WriteImage(dir.File("c.png"), 16, 16, 1);
        string loss = Fixtures.WriteTinyLossYaml(dir.Path);
        Cli.Run("optimize", "-c", content, "-s", content, "-o", dir.File("out.png"), "--vgg", vgg, "--loss", loss, "--size", "16", "--iterations", "1")
            .AssertOneLineError(2, "nan.safetensors", "features.2.weight", "NaN");
        Assert.False(File.Exists(dir.File("out.png")));
    }

    [Fact]
    public void Unwritable_metrics_path_fails_before_any_iteration()
    {
        using var dir = new TempDir();
        string content = Fixtures.WriteImage(dir.File("c.png"), 16, 16, 1);
        string loss = Fixtures.WriteTinyLossYaml(dir.Path);
        File.WriteAllText(dir.File("file"), "x");
        var before = Snapshot.Of(dir.Path);
        Cli.Run("optimize", "-c", content, "-s", content, "-o", dir.File("out.png"), "--metrics", Path.Combine(dir.File("file"), "m.json"),
                "--vgg", Fixtures.TinyVggPath, "--loss", loss, "--size", "16", "--iterations", "5", "--save-every", "1")
            .AssertOneLineError(2, "m.json", "cannot");
        Snapshot.AssertUnchanged(before, dir.Path); // not even the out.iter0001.png snapshot
    }

    [Fact]
    public void Unwritable_evaluate_json_fails_before_any_image_is_scored()
    {
        using var dir = new TempDir();
        string image = Fixtures.WriteImage(dir.File("a.png"), 16, 16, 1);
        string loss = Fixtures.WriteTinyLossYaml(dir.Path);
        File.WriteAllText(dir.File("file"), "x");
        // The second image is unreadable: a check made only after scoring would report it instead.
        File.WriteAllText(dir.File("broken.png"), "x");
        var before = Snapshot.Of(dir.Path);
        Cli.Run("evaluate", "-s", image, "-c", image, image, "--stylized", image, dir.File("broken.png"), "--vgg", Fixtures.TinyVggPath, "--loss", loss,
                "--json", Path.Combine(dir.File("file"), "e.json"))
            .AssertOneLineError(2, "e.json", "cannot");
        Snapshot.AssertUnchanged(before, dir.Path);
    }

    [Fact]
    public void Empty_loss_file_is_an_error()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<FastStyleError>(() => LossConfigFile.Load(Write(dir, "empty.yaml", "")));
        Assert.Contains("empty.yaml", e.Message);
        Assert.Contains("is empty", e.Message);
    }

    [Fact]
    public void Unknown_top_level_key_in_a_training_config_used_as_loss_is_an_error()
    {
        using var dir = new TempDir();
        string path = Write(dir, "cfg.yaml", "style_image: s.png\nstlye_weight: 5\nloss:\n  style_weight: 2\n");
        var e = Assert.Throws<FastStyleError>(() => LossConfigFile.Load(path));
        Assert.Contains("stlye_weight", e.Message);
    }

    [Fact]
    public void Full_disk_error_names_the_target_not_the_temp_file_and_keeps_the_old_file()
    {
        using var dir = new TempDir();
        string target = Write(dir, "model.onnx", "previous version");
        var e = Assert.Throws<FastStyleError>(() => AtomicFile.Write(target, stream =>
            throw new IOException($"No space left on device : '{((FileStream)stream).Name}'")));
        Assert.Contains("model.onnx", e.Message);
        Assert.DoesNotContain(".tmp", e.Message);
        Assert.Equal("previous version", File.ReadAllText(target));
        Assert.Equal(["model.onnx"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }
}
