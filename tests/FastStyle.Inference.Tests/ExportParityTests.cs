using FastStyle.Inference;
using Xunit.Abstractions;

namespace FastStyle.Inference.Tests;

/// <summary>The exported ONNX graph, run by ONNX Runtime, equals the naive reference network.</summary>
public sealed class ExportParityTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(UpsampleMode.Nearest, 13, 10, false)]
    [InlineData(UpsampleMode.Nearest, 16, 12, false)]
    [InlineData(UpsampleMode.Transpose, 13, 10, false)]
    [InlineData(UpsampleMode.Transpose, 16, 12, false)]
    [InlineData(UpsampleMode.Nearest, 13, 10, true)]
    [InlineData(UpsampleMode.Nearest, 16, 12, true)]
    [InlineData(UpsampleMode.Transpose, 13, 10, true)]
    public void OnnxMatchesReference(UpsampleMode mode, int width, int height, bool winograd)
    {
        var arch = new TransformerArchitecture(BaseChannels: 4, ResidualBlocks: 2, Upsample: mode);
        var weights = TestModels.RandomWeights(arch, seed: 7);
        var image = TestModels.SmoothImage(width, height, seed: 11);
        using var dir = new TempFolder();
        string path = dir.File("model.onnx");
        TransformerOnnxExporter.Write(path, arch, weights, TestModels.Metadata(arch));

        using var stylizer = Stylizer.Load(path, TestModels.Options with { Winograd = winograd });
        Assert.Equal(winograd ? 2 * arch.ResidualBlocks : 0, stylizer.WinogradConvolutions);
        var onnx = stylizer.Run(image.Pixels, 1, height, width);

        double[] raw = ReferenceTransformer.Raw(arch, weights, image.Pixels, height, width);
        float[] expected = ReferenceTransformer.Forward(arch, weights, image.Pixels, height, width);
        double maxDiff = onnx.Zip(expected, (a, b) => Math.Abs(a - b)).Max();
        double inRange = raw.Count(v => v > 0 && v < 1) / (double)raw.Length;
        output.WriteLine($"{mode} {width}x{height}: max abs diff {maxDiff:E2}, unclipped outputs {inRange:P0}, raw range [{raw.Min():F3},{raw.Max():F3}]");

        Assert.Equal(expected.Length, onnx.Length);
        Assert.True(inRange > 0.5, $"test network saturates: only {inRange:P0} of outputs inside (0,1)");
        Assert.True(maxDiff < 1e-4, $"max abs diff {maxDiff}");
    }

    /// <summary>
    /// The default width puts every layer on ONNX Runtime's blocked (NCHWc) convolution path, including
    /// the rewritten upsampling (low-resolution phase conv) and conv_out (4x4 phase conv) layers;
    /// with Winograd, residual maps of 9x7 and 6x8 (whole and partial 4x4 tiles).
    /// </summary>
    [Theory]
    [InlineData(36, 28, false)]
    [InlineData(23, 30, false)]
    [InlineData(36, 28, true)]
    [InlineData(23, 30, true)]
    public void DefaultWidthNetworkMatchesReference(int width, int height, bool winograd)
    {
        var arch = new TransformerArchitecture(ResidualBlocks: 2);
        var weights = TestModels.RandomWeights(arch, seed: 5);
        var image = TestModels.SmoothImage(width, height, seed: 13);
        using var dir = new TempFolder();
        TransformerOnnxExporter.Write(dir.File("m.onnx"), arch, weights, TestModels.Metadata(arch));
        using var stylizer = Stylizer.Load(dir.File("m.onnx"), TestModels.Options with { Winograd = winograd });
        Assert.Equal(winograd ? 2 * arch.ResidualBlocks : 0, stylizer.WinogradConvolutions);

        var onnx = stylizer.Run(image.Pixels, 1, height, width);

        float[] expected = ReferenceTransformer.Forward(arch, weights, image.Pixels, height, width);
        double maxDiff = onnx.Zip(expected, (a, b) => Math.Abs(a - b)).Max();
        output.WriteLine($"{arch} {width}x{height}: max abs diff {maxDiff:E2}, outputs inside (0,1) {expected.Count(v => v > 0 && v < 1) / (double)expected.Length:P0}");
        Assert.True(expected.Count(v => v > 0 && v < 1) > expected.Length / 2, "test network saturates");
        Assert.True(maxDiff < 1e-4, $"max abs diff {maxDiff}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BatchOfTwoMatchesReferencePerImage(bool winograd)
    {
        var arch = new TransformerArchitecture(4, 1, UpsampleMode.Nearest);
        var weights = TestModels.RandomWeights(arch, seed: 3);
        var a = TestModels.SmoothImage(10, 9, seed: 1);
        var b = TestModels.SmoothImage(10, 9, seed: 2);
        using var dir = new TempFolder();
        TransformerOnnxExporter.Write(dir.File("m.onnx"), arch, weights, TestModels.Metadata(arch));
        using var stylizer = Stylizer.Load(dir.File("m.onnx"), TestModels.Options with { Winograd = winograd });

        var results = stylizer.StylizeBatch([a, b], StyleSettings.Default);

        foreach (var (img, res) in new[] { (a, results[0]), (b, results[1]) })
        {
            var expected = ReferenceTransformer.Forward(arch, weights, img.Pixels, 9, 10);
            Assert.True(expected.Zip(res.Pixels, (x, y) => Math.Abs(x - y)).Max() < 1e-4);
        }
    }
}
