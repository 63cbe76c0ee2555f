using FastStyle.Training.Runs;

namespace FastStyle.Training.Tests;

/// <summary>The config parser takes a missing key's value from <see cref="TrainingConfig.Defaults"/>, the one definition of each default.</summary>
public sealed class TrainingConfigDefaultsTests
{
    [Fact]
    public void Config_with_only_a_style_image_reads_as_the_defaults()
    {
        using var dir = new TempDir();
        string path = System.IO.Path.Combine(dir.Path, "c.yaml");
        File.WriteAllText(path, "style_image: s.jpg\n");
        var config = TrainingConfig.Load(path);
        var expected = TrainingConfig.Defaults with { StyleImage = config.StyleImage, StyleName = config.StyleName };
        Assert.Equal(expected.Describe(), config.Describe());
    }
}
