namespace FastStyle.Inference.Tests;

/// <summary>models/starry_night.onnx, exported by an earlier build, still loads and runs: the layout and metadata readers stay compatible.</summary>
public sealed class ShippedModelTests
{
    static string ShippedModel() => FastStyle.TestSupport.Repository.File("models", "starry_night.onnx");

    [Fact]
    public void Shipped_model_has_the_default_architecture_and_stylises_an_image()
    {
        using var stylizer = Stylizer.Load(ShippedModel(), TestModels.Options);
        Assert.Equal(new TransformerArchitecture(), stylizer.Metadata.Architecture);
        var result = stylizer.Stylize(TestModels.SmoothImage(21, 14, 1), StyleSettings.Default);
        Assert.Equal((21, 14), (result.Width, result.Height));
        Assert.All(result.Pixels, v => Assert.InRange(v, 0f, 1f));
    }
}
