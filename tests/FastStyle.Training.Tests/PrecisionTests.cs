using FastStyle.Data.Imaging;
using FastStyle.Training.LossNetwork;
using FastStyle.Training.Losses;
using FastStyle.Training.Tensors;
using FastStyle.TestSupport;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace FastStyle.Training.Tests;

/// <summary>
/// The loss network in bfloat16 (as training and `optimize` run it: bfloat16 taps, so Grams multiply
/// in bfloat16, against targets computed with float32 taps) against float32 on the same batch: every
/// loss value within 1%.
/// Controls, so "within 1%" cannot pass because bf16 did nothing: the weights really are bfloat16
/// during the bf16 evaluation, and its losses are not bit-identical to float32's.
/// </summary>
public class PrecisionTests(ITestOutputHelper output)
{
    static LossConfig Config(params string[] styleLayers) => new()
    {
        Network = "vgg19",
        ContentLayers = new Dictionary<string, double> { ["relu2_2"] = 1 },
        StyleLayers = styleLayers.ToDictionary(l => l, _ => 1.0 / styleLayers.Length),
        ContentWeight = 1,
        StyleWeight = 1,
    };

    /// <summary>Relative differences (bf16 vs fp32) of total, content, style and each raw layer term.</summary>
    Dictionary<string, double> Compare(VggLossNetwork network, LossConfig config, Tensor style, Tensor batch, Tensor transformed)
    {
        var loss = new PerceptualLoss(network, config);
        LossValues Evaluate(ScalarType type)
        {
            using var scope = torch.NewDisposeScope();
            network.UseComputeType(type);
            Assert.All(network.parameters(), p => Assert.Equal(type, p.dtype));
            using var targets = loss.Targets(style, null);
            Assert.All(targets.StyleGrams.Values, g => Assert.Equal(ScalarType.Float32, g.dtype));
            var content = loss.ContentFeatures(batch);
            Assert.All(content.Values, t => Assert.Equal(type, t.dtype));
            using var _ = torch.no_grad();
            return loss.Compute(transformed, targets.StyleGrams, content).ToValues();
        }
        var fp32 = Evaluate(ScalarType.Float32);
        var bf16 = Evaluate(ScalarType.BFloat16);
        network.UseComputeType(ScalarType.Float32);

        var pairs = new List<(string, double, double)> { ("total", fp32.Total, bf16.Total), ("content", fp32.Content, bf16.Content), ("style", fp32.Style, bf16.Style) };
        pairs.AddRange(fp32.StyleByLayer.Select(kv => ("style " + kv.Key, kv.Value, bf16.StyleByLayer[kv.Key])));
        pairs.AddRange(fp32.ContentByLayer.Select(kv => ("content " + kv.Key, kv.Value, bf16.ContentByLayer[kv.Key])));
        var relative = new Dictionary<string, double>();
        foreach (var (name, a, b) in pairs)
        {
            Assert.True(a > 0 && double.IsFinite(b), $"{name}: fp32 {a}, bf16 {b}");
            relative[name] = Math.Abs(b - a) / a;
            output.WriteLine($"{name,-16} fp32 {a,12:G6}  bf16 {b,12:G6}  rel diff {relative[name]:P3}");
        }
        Assert.True(relative.Values.Any(r => r > 0), "bf16 and fp32 losses are bit-identical: the bf16 path did not run");
        return relative;
    }

    /// <summary>A stand-in for a transformer's output: the batch, blurred and with a seeded colour shift.</summary>
    static Tensor Transformed(Tensor batch)
    {
        using var scope = torch.NewDisposeScope();
        var blurred = nn.functional.avg_pool2d(batch, 3, stride: 1, padding: 1);
        var shift = Fixtures.RandomTensor([batch.shape[0], 3, 1, 1], 9) * 0.2 - 0.1;
        return (blurred + shift).clamp(0, 1).MoveToOuterDisposeScope();
    }

    [Fact]
    public void Bfloat16_loss_network_agrees_with_float32_on_the_random_fixture()
    {
        using var scope = torch.NewDisposeScope();
        var config = Config("relu1_1", "relu2_1", "relu3_1");
        using var network = VggLossNetwork.Load(Fixtures.TinyVggPath, config.Architecture, config.Taps);
        var batch = ImageTensors.ToTensor([Fixtures.SmoothImage(48, 48, 1), Fixtures.SmoothImage(48, 48, 2)]);
        // A noise style: its Grams differ clearly from the photos', as a painting's do (with two
        // smooth images the Gram differences are tiny and bf16 rounding is a larger share of them).
        var style = Fixtures.RandomTensor([1, 3, 48, 48], 3);
        var relative = Compare(network, config, style, batch, Transformed(batch));
        Assert.All(relative, kv => Assert.True(kv.Value < 0.01, $"{kv.Key}: bf16 differs from fp32 by {kv.Value:P2}"));
    }

    [SharedDataFact]
    public void Bfloat16_loss_network_agrees_with_float32_on_real_weights()
    {
        using var scope = torch.NewDisposeScope();
        var config = Config("relu1_1", "relu2_1", "relu3_1", "relu4_1");
        using var network = VggLossNetwork.Load(SharedData.VggPath, config.Architecture, config.Taps);
        var batch = torch.cat([Crop64(SharedData.Content("tubingen.jpg")), Crop64(SharedData.Content("chicago.jpg"))], 0);
        var style = Crop64(SharedData.Style("starry_night.jpg"));
        var relative = Compare(network, config, style, batch, Transformed(batch));
        Assert.All(relative, kv => Assert.True(kv.Value < 0.01, $"{kv.Key}: bf16 differs from fp32 by {kv.Value:P2}"));
    }

    /// <summary>The central 64x64 crop of the image scaled to 128 px on its longest side.</summary>
    static Tensor Crop64(string path)
    {
        var image = ImageFile.Load(path, new ImageLoadOptions { LongestSide = 128 });
        var t = ImageTensors.ToTensor(image);
        return t.narrow(2, (image.Height - 64) / 2, 64).narrow(3, (image.Width - 64) / 2, 64).contiguous();
    }
}
