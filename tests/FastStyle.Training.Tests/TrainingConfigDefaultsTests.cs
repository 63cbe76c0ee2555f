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
    static string RepositoryConfigs()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(System.IO.Path.Combine(dir.FullName, "FastStyle.sln"))) dir = dir.Parent;
        return System.IO.Path.Combine(dir?.FullName ?? throw new InvalidOperationException("FastStyle.sln not found above the test binaries"), "configs");
    }

    public static TheoryData<string> Configs() => new(Directory.EnumerateFiles(RepositoryConfigs(), "*.yaml", SearchOption.AllDirectories)
        .Select(p => System.IO.Path.GetRelativePath(RepositoryConfigs(), p)).Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Configs))]
    public void Every_shipped_config_loads(string relativePath)
    {
        var config = TrainingConfig.Load(System.IO.Path.Combine(RepositoryConfigs(), relativePath));
        Assert.NotEmpty(config.Styles);
    }
}
