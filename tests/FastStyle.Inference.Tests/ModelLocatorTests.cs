using FastStyle.Data;
using FastStyle.Inference;
using Xunit;

namespace FastStyle.Inference.Tests;

/// <summary>`stylize --model` takes a path or a shipped style's name (issue 11).</summary>
public sealed class ModelLocatorTests : IDisposable
{
    readonly string shipped = Directory.CreateTempSubdirectory("faststyle-models").FullName;

    public ModelLocatorTests()
    {
        File.WriteAllText(Path.Combine(shipped, "wave.onnx"), "x");
        File.WriteAllText(Path.Combine(shipped, "starry_night.onnx"), "x");
    }

    public void Dispose() => Directory.Delete(shipped, true);

    [Fact]
    public void A_shipped_style_name_resolves_to_its_model_file()
    {
        Assert.Equal(Path.Combine(shipped, "wave.onnx"), ModelLocator.Resolve("wave", shipped));
    }

    [Fact]
    public void Without_a_model_the_default_style_is_used()
    {
        if (Environment.GetEnvironmentVariable(ModelLocator.EnvironmentVariable) != null) return; // the user's own default wins
        Assert.Equal(Path.Combine(shipped, "starry_night.onnx"), ModelLocator.Resolve(null, shipped));
    }

    [Fact]
    public void An_existing_path_is_used_as_given()
    {
        string path = Path.Combine(shipped, "wave.onnx");
        Assert.Equal(path, ModelLocator.Resolve(path, "/nonexistent"));
    }

    [Fact]
    public void An_unknown_name_lists_the_shipped_styles()
    {
        var error = Assert.Throws<FastStyleError>(() => ModelLocator.Resolve("udnie", shipped));
        Assert.Contains("model 'udnie'", error.Message);
        Assert.Contains("starry_night, wave", error.Message);
    }

    [Fact]
    public void A_missing_path_is_a_file_not_found_error()
    {
        var error = Assert.Throws<FastStyleError>(() => ModelLocator.Resolve("models/none.onnx", shipped));
        Assert.Contains("file not found", error.Message);
    }
}
