using System.Globalization;
using FastStyle.Inference;
using TorchSharp;

namespace FastStyle.Training.LossNetwork;

/// <summary>How the loss network's activation scale is treated (loss config key `vgg_scale`).</summary>
public enum VggScale
{
    /// <summary>Use the activations as the file gives them (the loss weights must suit the file).</summary>
    [Spelled("as_is")] AsIs,
    /// <summary>Measure the file's activations and rescale each layer to the Caffe scale the configs are tuned for.</summary>
    Auto,
}

/// <summary>
/// Makes a loss config mean the same with any VGG file. VGG files come in two flavours whose
/// activations differ by 100-250x (the original Caffe weights, as in ../shared, vs torchvision's
/// retrained ones; ../shared/README.md), and content MSE scales with the square of that, style Gram MSE
/// with the fourth power, so weights tuned for one flavour are badly balanced with the other.
///
/// The flavour is measured, not guessed from names: the mean activation of every tapped layer on a
/// fixed synthetic probe image, compared with the same numbers for the Caffe-scale development VGG-19
/// (<see cref="CaffeReference"/>). A file within <see cref="CaffeBand"/> of the reference at every layer
/// is Caffe-scale and left exactly as it is (so Caffe-scale runs stay numerically identical); any other
/// file gets one factor per layer, reference / measured, applied to that layer's features before the
/// MSE and Gram matrices, i.e. its features are brought onto the Caffe scale layer by layer.
/// </summary>
internal static class ActivationScale
{
    /// <summary>Probe size: relu5_x still has 4x4 pixels after four poolings, and VGG-19 runs it in well under a second on CPU.</summary>
    public const int ProbeSide = 64;

    /// <summary>A file whose every per-layer scale is within this factor of the reference counts as Caffe-scale (the flavours differ by 100x or more).</summary>
    public const double CaffeBand = 4;

    /// <summary>
    /// Mean activation of each VGG-19 ReLU on <see cref="Probe"/> with ../shared/models/vgg19.safetensors
    /// (sha256 d2ed2c32...), measured by the test Caffe_reference_matches_the_shared_vgg (which fails if
    /// these drift). VGG-16 files are compared on the layers the two share by name.
    /// </summary>
    public static IReadOnlyDictionary<string, double> CaffeReference { get; } = new Dictionary<string, double>
    {
        ["relu1_1"] = 28.269,
        ["relu1_2"] = 117.326,
        ["relu2_1"] = 113.207,
        ["relu2_2"] = 108.249,
        ["relu3_1"] = 133.784,
        ["relu3_2"] = 188.312,
        ["relu3_3"] = 418.087,
        ["relu3_4"] = 552.935,
        ["relu4_1"] = 593.205,
        ["relu4_2"] = 379.337,
        ["relu4_3"] = 238.048,
        ["relu4_4"] = 54.1477,
        ["relu5_1"] = 56.6415,
        ["relu5_2"] = 24.6633,
        ["relu5_3"] = 10.7552,
        ["relu5_4"] = 1.3222,
    };

    /// <summary>The probe: <see cref="Export.CheckpointExporter.ParityInput"/> at <see cref="ProbeSide"/>, photo-like and deterministic.</summary>
    public static Data.Imaging.RgbImage Probe() => Export.CheckpointExporter.ParityInput(ProbeSide, ProbeSide);

    /// <summary>Mean activation of each of the network's taps on the probe (float32, unscaled).</summary>
    public static Dictionary<string, double> Measure(VggLossNetwork network)
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var features = network.RawFeatures(Tensors.ImageTensors.ToTensor(Probe()), network.Taps);
        return features.ToDictionary(kv => kv.Key, kv => (double)kv.Value.mean().item<float>());
    }

    /// <summary>
    /// Per-layer factors that bring <paramref name="measured"/> to the reference, or null when the file is
    /// already Caffe-scale. A layer with no reference value or no activation on the probe gets the
    /// median factor of the others.
    /// </summary>
    public static Dictionary<string, float>? Factors(IReadOnlyDictionary<string, double> measured)
    {
        var ratios = measured.Where(kv => CaffeReference.ContainsKey(kv.Key) && kv.Value > 0)
            .ToDictionary(kv => kv.Key, kv => CaffeReference[kv.Key] / kv.Value);
        if (ratios.Count == measured.Count && ratios.Values.All(r => r >= 1 / CaffeBand && r <= CaffeBand)) return null;
        var sorted = ratios.Values.Order().ToList();
        double median = sorted.Count > 0 ? sorted[sorted.Count / 2] : 1;
        return measured.Keys.ToDictionary(k => k, k => (float)ratios.GetValueOrDefault(k, median));
    }

    /// <summary>The factors as the run banner and reports print them ("relu1_1 x123, ...").</summary>
    public static string Describe(IReadOnlyDictionary<string, float>? factors) => factors is null
        ? "Caffe scale, unchanged"
        : "rescaled to Caffe scale: " + string.Join(", ", factors.OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => $"{kv.Key} x{kv.Value.ToString("G3", CultureInfo.InvariantCulture)}"));
}
