using System.Globalization;
using FastStyle.Data.Weights;
using FastStyle.Training.LossNetwork;
using FastStyle.Training.Losses;
using FastStyle.Training.Tensors;
using FastStyle.TestSupport;
using TorchSharp;
using Xunit.Abstractions;

namespace FastStyle.Training.Tests;

/// <summary>`vgg_scale: auto`: the same config gives the same loss balance whatever the VGG file's activation scale.</summary>
public class ActivationScaleTests(ITestOutputHelper output)
{
    static readonly string[] Taps = ["relu1_1", "relu1_2", "relu2_1", "relu2_2", "relu3_1"];

    static LossConfig Config(VggScale scale) => new()
    {
        ContentLayers = new Dictionary<string, double> { ["relu2_2"] = 1 },
        StyleLayers = new Dictionary<string, double> { ["relu1_1"] = 0.5, ["relu3_1"] = 0.5 },
        ContentWeight = 1,
        StyleWeight = 1,
        VggScale = scale,
    };

    /// <summary>
    /// The random fixture VGG with every layer's activations multiplied by scale[tap], exactly: conv l's
    /// weight times a_l / a_(l-1) and its bias times a_l (ReLU and max pooling commute with a positive factor).
    /// </summary>
    static List<TensorData> Rescaled(List<TensorData> tensors, Func<string, double> scale)
    {
        var result = new List<TensorData>();
        double previous = 1;
        foreach (var conv in VggArchitecture.Vgg19.Convs.Take(tensors.Count / 2))
        {
            double a = scale(conv.TapName);
            var w = tensors.Single(t => t.Name == $"features.{conv.FeatureIndex}.weight");
            var b = tensors.Single(t => t.Name == $"features.{conv.FeatureIndex}.bias");
            result.Add(w with { Values = w.Values.Select(v => (float)(v * a / previous)).ToArray() });
            result.Add(b with { Values = b.Values.Select(v => (float)(v * a)).ToArray() });
            previous = a;
        }
        return result;
    }

    static LossValues Loss(string vgg, LossConfig config)
    {
        var loss = PerceptualLoss.Load(vgg, config);
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var style = ImageTensors.ToTensor(Fixtures.SmoothImage(32, 32, seed: 1));
        var content = ImageTensors.ToTensor(Fixtures.SmoothImage(32, 32, seed: 2));
        var image = ImageTensors.ToTensor(Fixtures.SmoothImage(32, 32, seed: 3));
        using var targets = loss.Targets(style, content);
        return loss.Compute(image, targets.StyleGrams, targets.ContentFeatures).ToValues();
    }

    /// <summary>
    /// The random fixture VGG rescaled layer by layer to the Caffe reference scale, divided by
    /// <paramref name="divisor"/> (150: a torchvision-scale file, ../shared/README.md's 100-250x).
    /// </summary>
    static string WriteAtReferenceScale(TempDir dir, string name, double divisor)
    {
        var weights = Fixtures.RandomVggTensors(Fixtures.TinyVggConvs);
        string random = dir.File("random.safetensors"), path = dir.File(name);
        SafetensorsFile.Write(random, weights);
        Dictionary<string, double> measured;
        using (var network = VggLossNetwork.Load(random, VggArchitecture.Vgg19, Taps)) measured = ActivationScale.Measure(network);
        SafetensorsFile.Write(path, Rescaled(weights, tap => ActivationScale.CaffeReference[tap] / measured[tap] / divisor));
        return path;
    }

    [Fact]
    public void Caffe_scale_and_torchvision_scale_files_give_the_same_content_and_style_terms_with_auto()
    {
        using var dir = new TempDir();
        string caffe = WriteAtReferenceScale(dir, "caffe.safetensors", 1), torchvision = WriteAtReferenceScale(dir, "tv.safetensors", 150);

        var a = Loss(caffe, Config(VggScale.Auto));
        var b = Loss(torchvision, Config(VggScale.Auto));
        output.WriteLine($"auto: content {a.Content:G6} / {b.Content:G6}, style {a.Style:G6} / {b.Style:G6}");
        Assert.Equal(1, b.Content / a.Content, 1e-3);
        Assert.Equal(1, b.Style / a.Style, 1e-3);

        // Control: as the files are, content shrinks with the square of the scale and style with its fourth power.
        var rawA = Loss(caffe, Config(VggScale.AsIs));
        var rawB = Loss(torchvision, Config(VggScale.AsIs));
        Assert.Equal(150.0 * 150, rawA.Content / rawB.Content, 150.0 * 150 * 1e-3);
        Assert.Equal(Math.Pow(150, 4), rawA.Style / rawB.Style, Math.Pow(150, 4) * 1e-3);
    }

    [Fact]
    public void File_at_the_caffe_reference_scale_is_left_exactly_as_it_is()
    {
        using var dir = new TempDir();
        string path = WriteAtReferenceScale(dir, "caffe.safetensors", 1);
        using (var caffe = VggLossNetwork.Load(path, VggArchitecture.Vgg19, Taps))
            Assert.Null(ActivationScale.Factors(ActivationScale.Measure(caffe)));
        Assert.Equal(Loss(path, Config(VggScale.AsIs)), Loss(path, Config(VggScale.Auto)), LossValuesComparer.Exact);
    }

    [Fact]
    public void Factors_are_reference_over_measured_per_layer()
    {
        var measured = ActivationScale.CaffeReference.ToDictionary(kv => kv.Key, kv => kv.Value / 200);
        var factors = ActivationScale.Factors(measured)!;
        Assert.All(factors.Values, f => Assert.Equal(200, f, 1e-3));
        // Within the band at every layer: Caffe-scale, untouched.
        Assert.Null(ActivationScale.Factors(ActivationScale.CaffeReference.ToDictionary(kv => kv.Key, kv => kv.Value * 1.5)));
    }

    [Fact]
    public void Vgg_scale_defaults_to_auto_and_only_as_is_changes_the_config_text()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("a.yaml"), "style_layers: {relu1_1: 1}\nvgg_scale: as_is\n");
        File.WriteAllText(dir.File("b.yaml"), "style_layers: {relu1_1: 1}\n");
        var asIs = LossConfigFile.Load(dir.File("a.yaml"));
        var plain = LossConfigFile.Load(dir.File("b.yaml"));
        Assert.Equal(VggScale.AsIs, asIs.VggScale);
        Assert.Equal(VggScale.Auto, plain.VggScale);
        // The default adds nothing to the hashed text, so checkpoints of existing configs (trained on
        // the Caffe-scale file, which auto leaves unchanged) still resume without a warning.
        Assert.DoesNotContain("vgg_scale", plain.Describe());
        Assert.EndsWith("vgg_scale: as_is\n", asIs.Describe());
    }

    [SharedDataFact]
    public void Caffe_reference_matches_the_shared_vgg()
    {
        using var vgg = VggLossNetwork.Load(SharedData.VggPath, VggArchitecture.Vgg19, VggArchitecture.Vgg19.TapNames.ToList());
        var measured = ActivationScale.Measure(vgg);
        string table = string.Join("\n", VggArchitecture.Vgg19.TapNames.Select(t =>
            $"        [\"{t}\"] = {measured[t].ToString("G6", CultureInfo.InvariantCulture)},"));
        output.WriteLine(table);
        foreach (var tap in VggArchitecture.Vgg19.TapNames)
            Assert.True(ActivationScale.CaffeReference.TryGetValue(tap, out var reference) && Math.Abs(reference / measured[tap] - 1) < 1e-3,
                $"{tap}: measured {measured[tap]:G6}; paste into ActivationScale.CaffeReference:\n{table}");
        Assert.Null(ActivationScale.Factors(measured));
    }
}

/// <summary>Bit-for-bit equality of two loss evaluations (every term and layer).</summary>
internal sealed class LossValuesComparer : IEqualityComparer<LossValues>
{
    public static LossValuesComparer Exact { get; } = new();

    public bool Equals(LossValues? x, LossValues? y) => x is not null && y is not null
        && x.Total == y.Total && x.Content == y.Content && x.Style == y.Style && x.TotalVariation == y.TotalVariation
        && x.ContentByLayer.OrderBy(kv => kv.Key).SequenceEqual(y.ContentByLayer.OrderBy(kv => kv.Key))
        && x.StyleByLayer.OrderBy(kv => kv.Key).SequenceEqual(y.StyleByLayer.OrderBy(kv => kv.Key));

    public int GetHashCode(LossValues obj) => obj.Total.GetHashCode();
}
