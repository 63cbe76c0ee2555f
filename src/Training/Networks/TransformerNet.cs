using FastStyle.Data.Weights;
using FastStyle.Inference;
using FastStyle.Training.Tensors;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace FastStyle.Training.Networks;

/// <summary>
/// The feed-forward image transformation network of Johnson, Alahi, Fei-Fei (2016) with instance
/// norm (Ulyanov et al. 2016), built stage by stage from <see cref="TransformerArchitecture.Layers"/>,
/// the one layout description the ONNX exporter also builds from. Each stage's modules are
/// registered under the stage's names, so state-dict keys read "conv1.conv.weight", "in1.weight",
/// "res1.conv2.conv.weight", "up1.conv.weight".
/// The input's dtype selects the compute precision (float32 or bfloat16); the output is float32,
/// unclipped (training sees the raw values; <see cref="Stylize"/> clips). A multi-style network
/// (<see cref="TransformerArchitecture.Styles"/> &gt; 1) needs a style-weight row per sample:
/// <see cref="Transform"/>; <c>forward(input)</c> serves single-style networks.
/// </summary>
public sealed class TransformerNet : nn.Module<Tensor, Tensor>
{
    /// <summary>A stage's main computation (input, style weights), and the instance norm followed by ReLU after it (null: neither).</summary>
    readonly (Func<Tensor, Tensor?, Tensor> Main, InstanceNorm? Norm)[] stages;

    public TransformerArchitecture Architecture { get; }

    public TransformerNet(TransformerArchitecture architecture) : base(nameof(TransformerNet))
    {
        Architecture = architecture;
        var layers = architecture.Layers();
        stages = new (Func<Tensor, Tensor?, Tensor>, InstanceNorm?)[layers.Count];
        for (int i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            (nn.Module module, Func<Tensor, Tensor?, Tensor> main) = layer.Kind switch
            {
                TransformerLayerKind.Residual => Stage(new ResidualBlock(layer.OutChannels, layer.Kernel, architecture.Styles)),
                TransformerLayerKind.Upsample => Stage(new UpsampleLayer(layer.InChannels, layer.OutChannels, architecture.Upsample)),
                _ when layer.IsOutput => Stage(new OutputConvLayer(layer.InChannels, layer.OutChannels, layer.Kernel)),
                _ => Stage(new ConvLayer(layer.InChannels, layer.OutChannels, layer.Kernel, layer.Stride)),
            };
            register_module(layer.Name, module);
            InstanceNorm? norm = null;
            if (layer.Norm is { } normName) register_module(normName, norm = new InstanceNorm(layer.OutChannels, architecture.Styles));
            stages[i] = (main, norm);
        }
    }

    static (nn.Module, Func<Tensor, Tensor?, Tensor>) Stage(nn.Module<Tensor, Tensor> module) => (module, (x, _) => module.call(x));
    static (nn.Module, Func<Tensor, Tensor?, Tensor>) Stage(ResidualBlock block) => (block, block.Apply);

    /// <summary>Single-style networks: [N,3,H,W] RGB in [0,1] (float32 or bfloat16) to raw float32 RGB of the same size.</summary>
    public override Tensor forward(Tensor input) => Transform(input, null);

    /// <summary>
    /// [N,3,H,W] RGB in [0,1] (float32 or bfloat16) to raw float32 RGB of the same size;
    /// <paramref name="styleWeights"/> [N, styles] (rows normally sum to 1) is required for a
    /// multi-style network and ignored by a single-style one.
    /// </summary>
    public Tensor Transform(Tensor input, Tensor? styleWeights)
    {
        if (Architecture.IsMultiStyle && (styleWeights is null || styleWeights.ndim != 2 || styleWeights.shape[0] != input.shape[0] || styleWeights.shape[1] != Architecture.Styles))
            throw new ArgumentException($"a {Architecture.Styles}-style network needs style weights of shape [{input.shape[0]}, {Architecture.Styles}]", nameof(styleWeights));
        long h = input.shape[2], w = input.shape[3];
        // Two stride-2 convs and two x2 upsamplings: sizes must be multiples of 4 to come back
        // exactly; pad bottom/right by reflection and crop back (the ONNX graph does the same).
        const int m = TransformerArchitecture.SizeMultiple;
        long padH = (m - h % m) % m, padW = (m - w % m) % m;
        var x = padH + padW > 0 ? F.pad(input, [0, padW, 0, padH], PaddingModes.Reflect) : input;
        // Each intermediate's handle is released as soon as the next operation has consumed it: Python
        // frees them there by reference counting, TorchSharp would keep them until the step's dispose
        // scope ends (through backward). Autograd holds its own references to what it saves.
        foreach (var (main, norm) in stages)
        {
            var y = main(x, styleWeights);
            var next = norm is null ? y : NormRelu(y, norm, styleWeights);
            if (!ReferenceEquals(x, input)) x.Dispose();
            x = next;
        }
        if (padH + padW > 0)
        {
            var cropped = x.narrow(2, 0, h).narrow(3, 0, w);
            x.Dispose();
            x = cropped;
        }
        if (x.dtype == ScalarType.Float32) return x;
        var output = x.to(ScalarType.Float32);
        x.Dispose();
        return output;
    }

    /// <summary>ReLU(norm(<paramref name="y"/>)); consumes <paramref name="y"/> and the norm's output.</summary>
    internal static Tensor NormRelu(Tensor y, InstanceNorm norm, Tensor? styleWeights)
    {
        using (y)
        using (var normalised = norm.Apply(y, styleWeights))
            return F.relu(normalised);
    }

    /// <summary>Inference: no gradients, output clipped to [0,1].</summary>
    public Tensor Stylize(Tensor input, Tensor? styleWeights = null)
    {
        using var _ = torch.no_grad();
        return Transform(input, styleWeights).clamp(0, 1);
    }

    /// <summary>[n, styles] float32 rows of <paramref name="weights"/> (one style-weight vector for every sample).</summary>
    public static Tensor StyleWeights(IReadOnlyList<float> weights, long n)
        => torch.tensor(weights.ToArray(), [1, weights.Count]).expand(n, weights.Count).contiguous();

    /// <summary>Copies weights keyed by state-dict name; a missing name or wrong shape names the tensor.</summary>
    public void LoadWeights(IReadOnlyDictionary<string, TensorData> weights, string source)
    {
        using var _ = torch.no_grad();
        foreach (var (name, p) in named_parameters())
        {
            if (!weights.TryGetValue(name, out var data))
                throw new Data.FastStyleError($"weights '{source}': missing tensor '{name}' for this network ({Architecture})");
            if (!data.Shape.SequenceEqual(p.shape))
                throw new Data.FastStyleError($"weights '{source}': tensor '{name}' has shape {data.ShapeText}, expected [{string.Join(",", p.shape)}]");
            TensorDataCopies.CopyInto(p, data);
        }
    }

    /// <summary>The weights as plain arrays keyed by state-dict name (for the ONNX exporter).</summary>
    public Dictionary<string, TensorData> ExportWeights()
    {
        var result = new Dictionary<string, TensorData>();
        foreach (var (name, p) in named_parameters())
            result[name] = TensorDataCopies.ToData(name, p);
        return result;
    }
}
