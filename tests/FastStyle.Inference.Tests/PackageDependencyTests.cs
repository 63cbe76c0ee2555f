namespace FastStyle.Inference.Tests;

/// <summary>FastStyle.Inference ships as a package for users who only stylise: it must not pull in an imaging or a torch library.</summary>
public sealed class PackageDependencyTests
{
    [Fact]
    public void Inference_assembly_references_neither_Skia_nor_TorchSharp_nor_the_Data_project()
    {
        var referenced = typeof(Stylizer).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.Contains("Microsoft.ML.OnnxRuntime", referenced);
        Assert.DoesNotContain(referenced, name => name.StartsWith("SkiaSharp", StringComparison.Ordinal)
            || name.StartsWith("TorchSharp", StringComparison.Ordinal) || name == "FastStyle.Data");
    }
}
