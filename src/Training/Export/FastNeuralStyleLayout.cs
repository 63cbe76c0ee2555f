using System.Text.RegularExpressions;
using FastStyle.Data;
using FastStyle.Data.Weights;
using FastStyle.Inference;

namespace FastStyle.Training.Export;

/// <summary>
/// The correspondence between our transformer weights and the state dict of pytorch/examples'
/// fast_neural_style `TransformerNet` (neural_style/transformer_net.py), derived from
/// <see cref="TransformerArchitecture.Convolutions"/> so the one layout description stays the only one.
///
/// The two networks compute the same function, stage for stage: reflection-padded convs (their
/// `ConvLayer` = ReflectionPad2d(k/2) + Conv2d, key "conv1.conv2d.weight"), affine InstanceNorm2d with
/// eps 1e-5 ("in1.weight"), residual blocks relu(in1(conv1(x))) -> in2(conv2(.)) + x with no ReLU after
/// the add ("res1.conv1.conv2d.weight"), and up layers that resize nearest x2 first, then reflection pad,
/// then conv (their `UpsampleConvLayer`, "deconv1.conv2d.weight"), exactly our
/// <see cref="UpsampleMode.Nearest"/> order; their output conv is "deconv3". They have no transposed-conv
/// variant, so a <see cref="UpsampleMode.Transpose"/> network cannot be expressed in their layout.
///
/// Two differences are absorbed into the weights, exactly: their network takes and returns pixels on
/// the 0..255 scale (neural_style.py multiplies ToTensor's [0,1] by 255 and saves output clamped to
/// 0..255), ours [0,1]. conv1(255 x) = (255 W) x + b, and dividing the output conv's weight and bias by
/// 255 divides its output; every layer in between sees identical values. And ours pads odd sizes to a
/// multiple of 4 and crops back, theirs returns a slightly larger image for such sizes: outputs agree
/// for sizes that are multiples of 4.
/// </summary>
internal static class FastNeuralStyleLayout
{
    /// <summary>Their pixel scale relative to ours.</summary>
    public const float PixelScale = 255f;

    /// <summary>InstanceNorm2d running statistics that PyTorch &lt;= 0.3 saved; the example deletes them before loading (neural_style.py stylize).</summary>
    static readonly Regex LegacyRunningStatistic = new(@"in\d+\.running_(mean|var)$", RegexOptions.CultureInvariant);

    static readonly Regex ResidualKey = new(@"^res(\d+)\.", RegexOptions.CultureInvariant);

    /// <summary>Our stage names that theirs spell differently; the others (conv1..3, res*, in*) are the same.</summary>
    static string TheirStage(string ours) => ours switch
    {
        "up1" => "deconv1",
        "up2" => "deconv2",
        "conv_out" => "deconv3",
        _ => ours,
    };

    /// <summary>
    /// Every tensor in network order: our name, theirs, and the power of <see cref="PixelScale"/> that
    /// turns their values into ours (+1 for the first conv's weight, -1 for the output conv's weight and
    /// bias, else 0; a power rather than a float factor so the way back divides where the way there multiplied).
    /// </summary>
    public static IReadOnlyList<(string Ours, string Theirs, int ScalePower)> Tensors(TransformerArchitecture architecture)
    {
        if (architecture.Upsample != UpsampleMode.Nearest)
            throw new FastStyleError($"network with upsample {EnumText<UpsampleMode>.Of(architecture.Upsample)}: pytorch/examples' TransformerNet " +
                "only has nearest-upsample convolutions (UpsampleConvLayer), so this network has no equivalent there; train with upsample: nearest");
        if (architecture.IsMultiStyle)
            throw new FastStyleError($"network with {architecture.Styles} styles: pytorch/examples' TransformerNet has one scale/shift per norm, " +
                "so a multi-style (conditional instance norm) network has no equivalent there; export it to ONNX instead");
        var layers = architecture.Layers();
        string first = layers[0].Name, output = layers[^1].Name;
        var list = new List<(string, string, int)>();
        foreach (var conv in architecture.Convolutions())
        {
            // Residual convs are "res1.conv1" in both; top-level stages are renamed by TheirStage.
            string stage = conv.Name.Contains('.') ? conv.Name : TheirStage(conv.Name);
            int weightScale = conv.Name == first ? 1 : conv.Name == output ? -1 : 0;
            int biasScale = conv.Name == output ? -1 : 0;
            list.Add((conv.WeightName, stage + ".conv2d.weight", weightScale));
            list.Add((conv.BiasName, stage + ".conv2d.bias", biasScale));
            if (conv.Norm is { } norm)
            {
                list.Add(($"{norm}.weight", $"{norm}.weight", 0));
                list.Add(($"{norm}.bias", $"{norm}.bias", 0));
            }
        }
        return list;
    }

    /// <summary>
    /// Their state dict to our architecture and weights. The width comes from conv1's shape and the
    /// number of residual blocks from the res* keys (the example fixes 32 and 5; forks change them);
    /// legacy running statistics are dropped; any other missing, extra or misshapen tensor is refused by name.
    /// </summary>
    public static (TransformerArchitecture Architecture, Dictionary<string, TensorData> Weights) ToOurs(
        IReadOnlyDictionary<string, TensorData> theirs, string source)
    {
        string Fail(string problem) => throw new FastStyleError($"pytorch/examples model '{source}': {problem}");
        var keys = theirs.Keys.Where(k => !LegacyRunningStatistic.IsMatch(k)).ToHashSet(StringComparer.Ordinal);
        const string firstConv = "conv1.conv2d.weight";
        if (!theirs.TryGetValue(firstConv, out var conv1) || conv1.Shape.Length != 4 || conv1.Shape[1] != 3)
            Fail($"no '{firstConv}' of shape [C,3,9,9]; expected a fast_neural_style TransformerNet state dict " +
                 "(torch.save(transformer.state_dict(), path)) with keys conv1.conv2d.weight, in1.weight, res1.conv1.conv2d.weight, deconv1.conv2d.weight, ...");
        int blocks = keys.Select(k => ResidualKey.Match(k)).Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Max();
        long width = conv1!.Shape[0];
        var architecture = new TransformerArchitecture(width > int.MaxValue ? int.MaxValue : (int)width, blocks, UpsampleMode.Nearest);
        if (architecture.Problem() is { } problem) Fail(problem);

        var mapping = Tensors(architecture);
        var shapes = TransformerWeightLayout.Expected(architecture).ToDictionary(e => e.Name, e => e.Shape);
        var missing = mapping.Where(m => !keys.Contains(m.Theirs)).Select(m => m.Theirs).ToList();
        if (missing.Count > 0) Fail($"missing {List(missing)} (for width {architecture.BaseChannels}, {blocks} residual blocks)");
        var unexpected = keys.Except(mapping.Select(m => m.Theirs)).ToList();
        if (unexpected.Count > 0) Fail($"unexpected {List(unexpected)}; not the fast_neural_style TransformerNet layout");

        var weights = new Dictionary<string, TensorData>(StringComparer.Ordinal);
        foreach (var (ours, their, power) in mapping)
        {
            var data = theirs[their];
            if (!data.Shape.SequenceEqual(shapes[ours]))
                Fail($"tensor '{their}' has shape {data.ShapeText}, expected [{string.Join(",", shapes[ours])}]");
            int bad = Array.FindIndex(data.Values, v => !float.IsFinite(v));
            if (bad >= 0) Fail($"tensor '{their}' holds {data.Values[bad]} at index {bad}");
            weights[ours] = new TensorData(ours, data.Shape, Scaled(data.Values, power));
        }
        return (architecture, weights);
    }

    /// <summary>Our weights in their names and pixel scale, in network order.</summary>
    public static List<TensorData> ToTheirs(TransformerArchitecture architecture, IReadOnlyDictionary<string, TensorData> ours)
        => Tensors(architecture).Select(m => new TensorData(m.Theirs, ours[m.Ours].Shape, Scaled(ours[m.Ours].Values, -m.ScalePower))).ToList();

    static float[] Scaled(float[] values, int power) => power switch
    {
        0 => values,
        > 0 => values.Select(v => v * PixelScale).ToArray(),
        < 0 => values.Select(v => v / PixelScale).ToArray(),
    };

    static string List(List<string> names)
        => string.Join(", ", names.Take(4).Select(n => $"'{n}'")) + (names.Count > 4 ? $" and {names.Count - 4} more" : "");
}
