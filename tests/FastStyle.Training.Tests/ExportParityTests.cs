using FastStyle.Data;
using FastStyle.Inference;
using FastStyle.Training.Export;
using FastStyle.Training.Networks;
using FastStyle.Training.Tensors;
using TorchSharp;

namespace FastStyle.Training.Tests;

/// <summary>The hand-written ONNX graph against the TorchSharp network it is exported from (issue 4).</summary>
public sealed class ExportParityTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("faststyle-export-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    internal static TransformerNet RandomNetwork(TransformerArchitecture architecture, int seed, double normNoise = 0.2)
    {
        torch.manual_seed(seed);
        var net = new TransformerNet(architecture);
        // Default init leaves instance-norm affine at 1/0; perturb it so those weights are exercised too
        // (and, with several styles, so each style's row computes something else).
        // The scale is an explicit Scalar held to the end: `tensor * double` makes a temporary Scalar that nothing keeps
        // alive. A parallel test run once failed here with "Unknown scalar type", which that temporary's finalizer
        // running during the native call would explain.
        using var noise = normNoise.ToScalar();
        using (torch.no_grad())
            foreach (var (name, p) in net.named_parameters())
                if (name.Contains(".in") || name.StartsWith("in")) p.add_(torch.randn(p.shape).mul_(noise));
        return net;
    }

    [Theory]
    [InlineData(UpsampleMode.Nearest, 32, 24)]
    [InlineData(UpsampleMode.Nearest, 37, 29)]
    [InlineData(UpsampleMode.Transpose, 37, 29)]
    public void OnnxRuntimeMatchesTorchSharp(UpsampleMode upsample, int width, int height)
    {
        var architecture = new TransformerArchitecture(8, 2, upsample);
        using var net = RandomNetwork(architecture, 7);
        string path = Path.Combine(folder, "m.onnx");
        var metadata = new ModelMetadata("test", "00", 12, "cfg", architecture);
        var result = CheckpointExporter.Export(architecture, net.ExportWeights(), metadata, "random", path);
        Assert.True(result.MaxAbsDifference < CheckpointExporter.ParityTolerance);

        var input = CheckpointExporter.ParityInput(width, height);
        using var stylizer = Stylizer.Load(path);
        var actual = stylizer.Stylize(input, StyleSettings.Default);
        using var scope = torch.NewDisposeScope();
        var expected = net.Stylize(ImageTensors.ToTensor(input)).data<float>().ToArray();
        Assert.Equal(width, actual.Width);
        Assert.Equal(height, actual.Height);
        double worst = expected.Zip(actual.Pixels, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(worst < 1e-4, $"max |ORT - TorchSharp| = {worst}");
        // The comparison is meaningful only if the output is not clipped flat.
        Assert.True(expected.Count(v => v > 0.01f && v < 0.99f) > expected.Length / 4);
    }

    [Fact]
    public void ExportRejectsWeightsOfAnotherArchitectureAndWritesNothing()
    {
        using var net = RandomNetwork(new TransformerArchitecture(8, 2), 1);
        string path = Path.Combine(folder, "bad.onnx");
        var other = new TransformerArchitecture(8, 3);
        var error = Assert.Throws<FastStyleError>(() =>
            CheckpointExporter.Export(other, net.ExportWeights(), new ModelMetadata("t", "0", 0, "0", other), "ckpt.safetensors", path));
        Assert.Contains("res3", error.Message);
        Assert.Empty(Directory.GetFiles(folder));
    }

    [Fact]
    public void ExportMetadataRoundTripsThroughTheFile()
    {
        var architecture = new TransformerArchitecture(4, 1);
        using var net = RandomNetwork(architecture, 3);
        string path = Path.Combine(folder, "meta.onnx");
        CheckpointExporter.Export(architecture, net.ExportWeights(), new ModelMetadata("wave", "abc123", 300, "cfghash", architecture), "random", path);
        var read = ModelMetadata.ReadFromOnnx(path);
        Assert.Equal("wave", read.StyleName);
        Assert.Equal("abc123", read.StyleImageSha256);
        Assert.Equal(300, read.TrainingSteps);
        Assert.Equal("cfghash", read.ConfigHash);
        Assert.Equal(architecture, read.Architecture);
    }
}
