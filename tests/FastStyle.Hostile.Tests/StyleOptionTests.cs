using FastStyle.Data.Imaging;
using FastStyle.Inference;
using FastStyle.Training.Networks;
using FastStyle.Training.Tests;

namespace FastStyle.Hostile.Tests;

/// <summary>`stylize --style` and `--list-styles` on a multi-style model: names, mixes, and one-line mistakes.</summary>
public class StyleOptionTests
{
    static string WriteTwoStyleModel(string directory)
    {
        var arch = new TransformerArchitecture(4, 1, Styles: 2);
        using var net = new TransformerNet(arch);
        string path = Path.Combine(directory, "two.onnx");
        TransformerOnnxExporter.Write(path, arch, net.ExportWeights(),
            new ModelMetadata("wave+udnie", "a,b", 0, "0", arch) { Styles = [new("wave", "a"), new("udnie", "b")] });
        return path;
    }

    [Fact]
    public void List_styles_prints_the_names_in_order()
    {
        using var dir = new TempDir();
        var run = Cli.Run("stylize", "--model", WriteTwoStyleModel(dir.Path), "--list-styles");
        Assert.Equal(0, run.Code);
        Assert.Equal(["wave", "udnie"], run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [Fact]
    public void A_mix_writes_the_image()
    {
        using var dir = new TempDir();
        string input = Fixtures.WriteImage(dir.File("in.png"), 24, 20, 1);
        var run = Cli.Run("stylize", "--model", WriteTwoStyleModel(dir.Path), input, "-o", dir.File("out.png"), "--style", "wave=0.7,udnie=0.3");
        Assert.Equal(0, run.Code);
        Assert.True(File.Exists(dir.File("out.png")));
    }

    [Theory]
    [InlineData("scream", "unknown style 'scream'")]
    [InlineData("wave=0.7,udnie=x", "weight 'x' of 'udnie' is not a number >= 0")]
    [InlineData("wave=-1", "weight '-1' of 'wave' is not a number >= 0")]
    [InlineData("wave=0,udnie=0", "the weights sum to 0")]
    public void A_bad_style_is_one_line_listing_the_models_styles(string style, string expected)
    {
        using var dir = new TempDir();
        string model = WriteTwoStyleModel(dir.Path);
        string input = Fixtures.WriteImage(dir.File("in.png"), 24, 20, 1);
        var run = Cli.Run("stylize", "--model", model, input, "-o", dir.File("out.png"), "--style", style);
        Assert.Equal(2, run.Code);
        string line = Assert.Single(run.ErrorLines);
        Assert.Contains(expected, line);
        Assert.EndsWith($"model '{model}' holds: wave, udnie", line);
        Assert.False(File.Exists(dir.File("out.png")));
    }

    [Fact]
    public void Mix_weights_are_normalised_to_sum_one()
    {
        using var dir = new TempDir();
        string model = WriteTwoStyleModel(dir.Path);
        Assert.Equal([0.75f, 0.25f], StyleMix.Parse("wave=3,udnie=1", ModelMetadata.ReadFromOnnx(model), model));
        Assert.Equal([0f, 1f], StyleMix.Parse("udnie", ModelMetadata.ReadFromOnnx(model), model));
    }
}
