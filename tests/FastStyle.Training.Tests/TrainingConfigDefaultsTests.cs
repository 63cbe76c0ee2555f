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

/// <summary>The configs the repository ships are read by the same parser users' configs are.</summary>
public sealed class ShippedConfigTests
{
    static readonly string ConfigFolder = FastStyle.TestSupport.Repository.File("configs");

    public static TheoryData<string> Configs() => new(Directory.EnumerateFiles(ConfigFolder, "*.yaml", SearchOption.AllDirectories)
        .Select(p => System.IO.Path.GetRelativePath(ConfigFolder, p)).Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Configs))]
    public void Every_shipped_config_loads(string relativePath)
    {
        var config = TrainingConfig.Load(System.IO.Path.Combine(ConfigFolder, relativePath));
        Assert.NotEmpty(config.Styles);
    }
}
