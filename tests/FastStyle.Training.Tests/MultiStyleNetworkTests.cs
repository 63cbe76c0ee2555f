using FastStyle.Data;
using FastStyle.Inference;
using FastStyle.Training.Export;
using FastStyle.Training.Networks;
using FastStyle.Training.Tensors;
using TorchSharp;

namespace FastStyle.Training.Tests;

/// <summary>Conditional instance norm (Dumoulin, Shlens, Kudlur 2017): one network, a scale/shift row per style.</summary>
public sealed class MultiStyleNetworkTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("faststyle-cin-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>Random weights with every norm row perturbed differently, so each style computes something else.</summary>
    static TransformerNet RandomNetwork(TransformerArchitecture architecture, int seed)
        => ExportParityTests.RandomNetwork(architecture, seed, normNoise: 0.3);

    static ModelMetadata Metadata(TransformerArchitecture architecture, params string[] names)
        => new("mix", "x", 5, "cfg", architecture) { Styles = names.Select(n => new StyleEntry(n, n + "-sha")).ToList() };

    [Fact]
    public void NormTablesHaveOneRowPerStyleAndOneStyleKeepsTheOriginalShape()
    {
        using var single = new TransformerNet(new TransformerArchitecture(4, 1));
        using var multi = new TransformerNet(new TransformerArchitecture(4, 1, Styles: 3));
        Assert.Equal([4L], single.ExportWeights()["in1.weight"].Shape);
        Assert.Equal([3L, 4L], multi.ExportWeights()["in1.weight"].Shape);
        Assert.Equal([3L, 16L], multi.ExportWeights()["res1.in2.bias"].Shape);
    }

    [Fact]
    public void AOneHotStyleRowComputesWhatASingleStyleNetworkWithThatRowComputes()
    {
        var multiArch = new TransformerArchitecture(4, 1, Styles: 2);
        using var multi = RandomNetwork(multiArch, 5);
        var weights = multi.ExportWeights();
        // Row 1 of every table as a plain single-style network.
        var row1 = weights.ToDictionary(kv => kv.Key, kv => kv.Value.Shape.Length == 2 && kv.Value.Shape[0] == 2
            ? new Data.Weights.TensorData(kv.Key, [kv.Value.Shape[1]], kv.Value.Values[(int)kv.Value.Shape[1]..])
            : kv.Value);
        using var single = new TransformerNet(new TransformerArchitecture(4, 1));
        single.LoadWeights(row1, "row 1");
        using var scope = torch.NewDisposeScope();
        var x = ImageTensors.ToTensor(Fixtures.SmoothImage(20, 16, 3));
        var expected = single.Stylize(x);
        var actual = multi.Stylize(x, TransformerNet.StyleWeights([0f, 1f], 1));
        Assert.True(expected.allclose(actual, rtol: 0, atol: 1e-5));
        Assert.False(actual.allclose(multi.Stylize(x, TransformerNet.StyleWeights([1f, 0f], 1)), rtol: 0, atol: 1e-3));
    }

    [Fact]
    public void AMultiStyleNetworkRefusesToRunWithoutStyleWeights()
    {
        using var multi = new TransformerNet(new TransformerArchitecture(4, 1, Styles: 2));
        using var scope = torch.NewDisposeScope();
        Assert.Throws<ArgumentException>(() => multi.call(torch.rand(1, 3, 8, 8)));
    }

    [Fact]
    public void SingleStyleExportHasNoStyleInputAndIsUnchanged()
    {
        var architecture = new TransformerArchitecture(4, 1);
        using var net = RandomNetwork(architecture, 2);
        string path = Path.Combine(folder, "single.onnx");
        CheckpointExporter.Export(architecture, net.ExportWeights(), new ModelMetadata("w", "s", 1, "c", architecture), "random", path);
        using (var session = new Microsoft.ML.OnnxRuntime.InferenceSession(path))
        {
            Assert.Equal(["input"], session.InputMetadata.Keys);
            Assert.DoesNotContain(session.ModelMetadata.CustomMetadataMap.Keys, k => k.Contains("style_names"));
        }
        Assert.Equal(1, ModelMetadata.ReadFromOnnx(path).FormatVersion);
    }

    [Theory]
    [InlineData(UpsampleMode.Nearest)]
    [InlineData(UpsampleMode.Transpose)]
    public void MultiStyleExportMatchesTorchSharpForEachStyleAndAMix(UpsampleMode upsample)
    {
        var architecture = new TransformerArchitecture(8, 2, upsample, Styles: 3);
        using var net = RandomNetwork(architecture, 9);
        string path = Path.Combine(folder, "multi.onnx");
        var result = CheckpointExporter.Export(architecture, net.ExportWeights(), Metadata(architecture, "wave", "udnie", "scream"), "random", path);
        Assert.True(result.MaxAbsDifference <= CheckpointExporter.ParityTolerance);

        // Independently of the exporter's own check: a 0.7/0.3 mix, two images in one batch.
        var input = CheckpointExporter.ParityInput(37, 29);
        // Winograd drops the residual convolutions' biases where instance norm cancels them, here
        // behind the Reshape that folds the batch into the channels.
        using var stylizer = Stylizer.Load(path, new StylizerOptions(Winograd: true));
        Assert.Equal(2 * architecture.ResidualBlocks, stylizer.WinogradConvolutions);
        float[] mix = [0.7f, 0f, 0.3f];
        var actual = stylizer.StylizeBatch([input, input], StyleSettings.Default with { StyleWeights = mix });
        using var scope = torch.NewDisposeScope();
        var expected = net.Stylize(ImageTensors.ToTensor(input), TransformerNet.StyleWeights(mix, 1)).data<float>().ToArray();
        foreach (var image in actual)
            Assert.True(expected.Zip(image.Pixels, (e, a) => Math.Abs(e - a)).Max() <= 1e-4);
        var pure = net.Stylize(ImageTensors.ToTensor(input), TransformerNet.StyleWeights([1f, 0f, 0f], 1)).data<float>().ToArray();
        Assert.True(expected.Zip(pure, (e, p) => Math.Abs(e - p)).Max() > 1e-3, "the mix must differ from the first style alone");

        // The style_weights input is per sample: one batch holding the pure first style and the mix
        // gives each image its own row (the graph folds the batch into instance norm's channels).
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(path);
        int size = input.Pixels.Length;
        var batch = new float[2 * size];
        input.Pixels.CopyTo(batch, 0);
        input.Pixels.CopyTo(batch, size);
        using var results = session.Run([
            Microsoft.ML.OnnxRuntime.NamedOnnxValue.CreateFromTensor(TransformerOnnxExporter.InputName,
                new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>(batch, [2, 3, input.Height, input.Width])),
            Microsoft.ML.OnnxRuntime.NamedOnnxValue.CreateFromTensor(TransformerOnnxExporter.StyleWeightsName,
                new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>(new float[] { 1f, 0f, 0f, 0.7f, 0f, 0.3f }, [2, 3]))]);
        float[] both = results.First().AsEnumerable<float>().ToArray();
        Assert.True(pure.Zip(both[..size], (e, a) => Math.Abs(e - a)).Max() <= 1e-4, "batch image 0 must be the pure first style");
        Assert.True(expected.Zip(both[size..], (e, a) => Math.Abs(e - a)).Max() <= 1e-4, "batch image 1 must be the mix");
    }

    [Fact]
    public void MultiStyleMetadataListsTheStylesInOrder()
    {
        var architecture = new TransformerArchitecture(4, 1, Styles: 2);
        using var net = RandomNetwork(architecture, 1);
        string path = Path.Combine(folder, "meta.onnx");
        CheckpointExporter.Export(architecture, net.ExportWeights(), Metadata(architecture, "wave", "udnie"), "random", path);
        var read = ModelMetadata.ReadFromOnnx(path);
        Assert.Equal(architecture, read.Architecture);
        Assert.Equal([new StyleEntry("wave", "wave-sha"), new StyleEntry("udnie", "udnie-sha")], read.Styles);
        Assert.Equal(2, read.FormatVersion);
    }

    [Fact]
    public void PthExportRefusesAMultiStyleNetworkInOneLine()
    {
        var e = Assert.Throws<FastStyleError>(() => FastNeuralStyleLayout.Tensors(new TransformerArchitecture(4, 1, Styles: 2)));
        Assert.Contains("2 styles", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
