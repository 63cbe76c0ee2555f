using FastStyle.Data.Weights;
using FastStyle.Inference;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace FastStyle.Training.Networks;

/// <summary>
/// The feed-forward image transformation network of Johnson, Alahi, Fei-Fei (2016) with instance
/// norm (Ulyanov et al. 2016). Layer names and the pixel convention are documented once, in
/// <see cref="TransformerArchitecture"/>, which the ONNX exporter shares.
/// The input's dtype selects the compute precision (float32 or bfloat16); the output is float32,
/// unclipped (training sees the raw values; <see cref="Stylize"/> clips).
/// </summary>
public sealed class TransformerNet : nn.Module<Tensor, Tensor>
{
    readonly ConvLayer conv1, conv2, conv3, conv_out;
    readonly InstanceNorm in1, in2, in3, in4, in5;
    readonly UpsampleLayer up1, up2;
    readonly ResidualBlock[] residuals;

    public TransformerArchitecture Architecture { get; }

    public TransformerNet(TransformerArchitecture architecture) : base(nameof(TransformerNet))
    {
        Architecture = architecture;
        long c = architecture.BaseChannels;
        conv1 = new ConvLayer(3, c, 9);
        in1 = new InstanceNorm(c);
        conv2 = new ConvLayer(c, 2 * c, 3, stride: 2);
        in2 = new InstanceNorm(2 * c);
        conv3 = new ConvLayer(2 * c, 4 * c, 3, stride: 2);
        in3 = new InstanceNorm(4 * c);
        residuals = Enumerable.Range(0, architecture.ResidualBlocks).Select(_ => new ResidualBlock(4 * c)).ToArray();
        up1 = new UpsampleLayer(4 * c, 2 * c, architecture.Upsample);
        in4 = new InstanceNorm(2 * c);
        up2 = new UpsampleLayer(2 * c, c, architecture.Upsample);
        in5 = new InstanceNorm(c);
        conv_out = new ConvLayer(c, 3, 9);
        RegisterComponents();
        for (int i = 0; i < residuals.Length; i++) register_module($"res{i + 1}", residuals[i]);
    }

    /// <summary>[N,3,H,W] RGB in [0,1] (float32 or bfloat16) to raw float32 RGB of the same size.</summary>
    public override Tensor forward(Tensor input)
    {
        long h = input.shape[2], w = input.shape[3];
        // Two stride-2 convs and two x2 upsamplings: sizes must be multiples of 4 to come back
        // exactly; pad bottom/right by reflection and crop back (the ONNX graph does the same).
        long padH = (4 - h % 4) % 4, padW = (4 - w % 4) % 4;
        var x = padH + padW > 0 ? F.pad(input, [0, padW, 0, padH], PaddingModes.Reflect) : input;
        x = F.relu(in1.call(conv1.call(x)));
        x = F.relu(in2.call(conv2.call(x)));
        x = F.relu(in3.call(conv3.call(x)));
        foreach (var block in residuals) x = block.call(x);
        x = F.relu(in4.call(up1.call(x)));
        x = F.relu(in5.call(up2.call(x)));
        x = conv_out.call(x);
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
