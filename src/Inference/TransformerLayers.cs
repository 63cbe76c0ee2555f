using System.Globalization;

namespace FastStyle.Inference;

/// <summary>What one stage of the transformer network is.</summary>
public enum TransformerLayerKind
{
    /// <summary>Reflection-padded conv (ConvLayer), then instance norm and ReLU unless it is the output layer.</summary>
    Conv,
    /// <summary>[conv1 in1 relu conv2 in2] + x, 3x3 convs, channels unchanged (Johnson et al. 2016 supplementary).</summary>
    Residual,
    /// <summary>x2 upsampling conv (UpsampleLayer, see <see cref="UpsampleMode"/>), then instance norm and ReLU.</summary>
    Upsample,
}

/// <summary>
/// One stage of the network: its state-dict name, channels, kernel and stride, and the name of the
/// instance norm (+ ReLU) that follows it: null for a residual block (its norms are inside it,
/// "res1.in1", "res1.in2") and for the output conv, which has neither norm nor ReLU.
/// </summary>
public sealed record TransformerLayer(TransformerLayerKind Kind, string Name, int InChannels, int OutChannels, int Kernel, int Stride, string? Norm)
{
    /// <summary>True for the last conv: no norm, no ReLU, its raw values are the network's output.</summary>
    public bool IsOutput => Kind == TransformerLayerKind.Conv && Norm is null;

    /// <summary>The stage in jcjohnson/fast-neural-style's architecture-string notation (c9s1-32, d64, R128, u64).</summary>
    public string Notation => Kind switch
    {
        TransformerLayerKind.Residual => "R" + OutChannels.ToString(CultureInfo.InvariantCulture),
        TransformerLayerKind.Upsample => "u" + OutChannels.ToString(CultureInfo.InvariantCulture),
        _ when Stride == 2 && Kernel == 3 => "d" + OutChannels.ToString(CultureInfo.InvariantCulture),
        _ => string.Create(CultureInfo.InvariantCulture, $"c{Kernel}s{Stride}-{OutChannels}"),
    };
}

/// <summary>
/// One convolution and the instance norm after it (or null). Its weights are "&lt;Name&gt;.conv.weight/bias":
/// [out,in,k,k], or [in,out,k,k] when <see cref="Transposed"/> (PyTorch ConvTranspose2d layout, which is
/// also ONNX ConvTranspose's "C x M/group x kH x kW"). <see cref="Upsamples"/>: the output has twice the
/// input's resolution (nearest x2 then this conv, or a stride-2 transposed conv).
/// </summary>
public sealed record TransformerConvolution(string Name, int InChannels, int OutChannels, int Kernel, int Stride, bool Upsamples, bool Transposed, string? Norm)
{
    public string WeightName => Name + ".conv.weight";
    public string BiasName => Name + ".conv.bias";

    public long[] WeightShape => Transposed ? [InChannels, OutChannels, Kernel, Kernel] : [OutChannels, InChannels, Kernel, Kernel];

    /// <summary>Output resolution for an input of <paramref name="size"/> pixels along one axis (size a multiple of the strides).</summary>
    public double OutputSize(double size) => Upsamples ? 2 * size : size / Stride;
}
