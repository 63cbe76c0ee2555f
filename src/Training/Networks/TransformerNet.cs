using FastStyle.Data.Weights;
using FastStyle.Inference;
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
/// unclipped (training sees the raw values; <see cref="Stylize"/> clips).
/// </summary>
public sealed class TransformerNet : nn.Module<Tensor, Tensor>
{
    /// <summary>A stage's main module, and the instance norm followed by ReLU after it (null: neither).</summary>
    readonly (nn.Module<Tensor, Tensor> Main, InstanceNorm? Norm)[] stages;

    public TransformerArchitecture Architecture { get; }

    public TransformerNet(TransformerArchitecture architecture) : base(nameof(TransformerNet))
    {
        Architecture = architecture;
        var layers = architecture.Layers();
        stages = new (nn.Module<Tensor, Tensor>, InstanceNorm?)[layers.Count];
        for (int i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            nn.Module<Tensor, Tensor> main = layer.Kind switch
            {
                TransformerLayerKind.Residual => new ResidualBlock(layer.OutChannels, layer.Kernel),
                TransformerLayerKind.Upsample => new UpsampleLayer(layer.InChannels, layer.OutChannels, architecture.Upsample),
                _ => new ConvLayer(layer.InChannels, layer.OutChannels, layer.Kernel, layer.Stride),
            };
            register_module(layer.Name, main);
            InstanceNorm? norm = null;
            if (layer.Norm is { } normName) register_module(normName, norm = new InstanceNorm(layer.OutChannels));
            stages[i] = (main, norm);
        }
    }

    /// <summary>[N,3,H,W] RGB in [0,1] (float32 or bfloat16) to raw float32 RGB of the same size.</summary>
    public override Tensor forward(Tensor input)
    {
        long h = input.shape[2], w = input.shape[3];
        // Two stride-2 convs and two x2 upsamplings: sizes must be multiples of 4 to come back
        // exactly; pad bottom/right by reflection and crop back (the ONNX graph does the same).
        const int m = TransformerArchitecture.SizeMultiple;
        long padH = (m - h % m) % m, padW = (m - w % m) % m;
        var x = padH + padW > 0 ? F.pad(input, [0, padW, 0, padH], PaddingModes.Reflect) : input;
        foreach (var (main, norm) in stages)
            x = norm is null ? main.call(x) : F.relu(norm.call(main.call(x)));
        if (padH + padW > 0) x = x.narrow(2, 0, h).narrow(3, 0, w);
        return x.to(ScalarType.Float32);
    }

    /// <summary>Inference: no gradients, output clipped to [0,1].</summary>
    public Tensor Stylize(Tensor input)
    {
        using var _ = torch.no_grad();
        return forward(input).clamp(0, 1);
    }

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
            p.copy_(torch.tensor(data.Values, data.Shape));
        }
    }

    /// <summary>The weights as plain arrays keyed by state-dict name (for the ONNX exporter).</summary>
    public Dictionary<string, TensorData> ExportWeights()
    {
        var result = new Dictionary<string, TensorData>();
        foreach (var (name, p) in named_parameters())
        {
            using var cpu = p.detach().cpu().to(ScalarType.Float32).contiguous();
            result[name] = new TensorData(name, p.shape, cpu.data<float>().ToArray());
        }
        return result;
    }
}
