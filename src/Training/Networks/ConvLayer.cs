using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace FastStyle.Training.Networks;

/// <summary>
/// Reflection pad by k/2, then a conv. Reflection instead of zero padding: zero padding leaves
/// visible border artifacts in stylised images (field notes, lengstrom/fast-style-transfer issues).
/// Weights are cast to the input's dtype, so a bfloat16 input computes in bfloat16 while the
/// float32 parameters stay the master copy and receive the gradients (TorchSharp has no autocast).
/// </summary>
internal sealed class ConvLayer : nn.Module<Tensor, Tensor>
{
    readonly Conv2d conv;
    readonly long padding;
    readonly long stride;

    public ConvLayer(long inChannels, long outChannels, long kernelSize, long stride = 1) : base(nameof(ConvLayer))
    {
        conv = nn.Conv2d(inChannels, outChannels, kernelSize, stride: stride);
        padding = kernelSize / 2;
        this.stride = stride;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var padded = F.pad(x, [padding, padding, padding, padding], PaddingModes.Reflect);
        return F.conv2d(padded, conv.weight!.to(x.dtype), conv.bias!.to(x.dtype), strides: [stride, stride]);
    }
}

/// <summary>
/// Affine instance norm (Ulyanov et al. 2016) with the same dtype-following casts as <see cref="ConvLayer"/>.
/// With several styles it is conditional (Dumoulin, Shlens, Kudlur 2017): weight and bias are
/// [styles, C] tables and each sample's gamma/beta is its style-weight row times the tables, so a
/// one-hot row picks a style and a convex row mixes them. One style keeps the [C] parameters and the
/// fused affine call, so single-style networks compute exactly what they always did.
/// </summary>
internal sealed class InstanceNorm : nn.Module
{
    readonly Parameter weight;
    readonly Parameter bias;
    readonly int styles;

    public InstanceNorm(long channels, int styles) : base(nameof(InstanceNorm))
    {
        this.styles = styles;
        long[] shape = styles == 1 ? [channels] : [styles, channels];
        weight = new Parameter(torch.ones(shape));
        bias = new Parameter(torch.zeros(shape));
        RegisterComponents();
    }

    /// <param name="styleWeights">[N, styles], needed when there is more than one style; ignored otherwise.</param>
    public Tensor Apply(Tensor x, Tensor? styleWeights)
    {
        const float eps = FastStyle.Inference.TransformerArchitecture.InstanceNormEpsilon;
        if (styles == 1) return F.instance_norm(x, weight: weight.to(x.dtype), bias: bias.to(x.dtype), eps: eps);
        if (styleWeights is null) throw new ArgumentNullException(nameof(styleWeights), $"a {styles}-style network needs style weights");
        // The batch folds into the channels ([N,C,H,W] as [1,N*C,H,W]; exact, each plane is normalised
        // alone), so each sample's own scale and shift go into the one fused call instead of a separate
        // multiply and add over the activations (as the ONNX graph does, TransformerGraph.Norm).
        var w = styleWeights.to(x.dtype);
        var gamma = w.matmul(weight.to(x.dtype)).reshape(-1);
        var beta = w.matmul(bias.to(x.dtype)).reshape(-1);
        return F.instance_norm(x.reshape(1, -1, x.shape[2], x.shape[3]), weight: gamma, bias: beta, eps: eps).reshape(x.shape);
    }
}

/// <summary>
/// Two conv-norm layers and a skip connection (He et al. 2016; Johnson et al. 2016 supplementary);
/// the field names are the block's state-dict names (res1.conv1, res1.in1, ...).
/// </summary>
internal sealed class ResidualBlock : nn.Module
{
    readonly ConvLayer conv1;
    readonly InstanceNorm in1;
    readonly ConvLayer conv2;
    readonly InstanceNorm in2;

    public ResidualBlock(long channels, long kernelSize, int styles) : base(nameof(ResidualBlock))
    {
        conv1 = new ConvLayer(channels, channels, kernelSize);
        in1 = new InstanceNorm(channels, styles);
        conv2 = new ConvLayer(channels, channels, kernelSize);
        in2 = new InstanceNorm(channels, styles);
        RegisterComponents();
    }

    /// <remarks>Each intermediate's handle is released once consumed (see <see cref="TransformerNet.Transform"/>).</remarks>
    public Tensor Apply(Tensor x, Tensor? styleWeights)
    {
        using var hidden = TransformerNet.NormRelu(conv1.call(x), in1, styleWeights);
        using var convolved = conv2.call(hidden);
        using var normalised = in2.Apply(convolved, styleWeights);
        return x + normalised;
    }
}

/// <summary>
/// x2 upsampling. Nearest-neighbour resize then a reflection-padded 3x3 conv by default: a
/// transposed conv's uneven overlap makes checkerboard artifacts (Odena, Dumoulin, Olah 2016).
/// </summary>
internal sealed class UpsampleLayer : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> conv;
    readonly bool transpose;

    public UpsampleLayer(long inChannels, long outChannels, Inference.UpsampleMode mode) : base(nameof(UpsampleLayer))
    {
        transpose = mode == Inference.UpsampleMode.Transpose;
        conv = transpose
            ? nn.ConvTranspose2d(inChannels, outChannels, 3, stride: 2, padding: 1, output_padding: 1)
            : nn.Conv2d(inChannels, outChannels, 3);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        if (transpose)
        {
            var t = (ConvTranspose2d)conv;
            return F.conv_transpose2d(x, t.weight!.to(x.dtype), t.bias!.to(x.dtype), strides: [2, 2], padding: [1, 1], output_padding: [1, 1]);
        }
        var c = (Conv2d)conv;
        var up = F.interpolate(x, scale_factor: [2, 2], mode: InterpolationMode.Nearest);
        return F.conv2d(F.pad(up, [1, 1, 1, 1], PaddingModes.Reflect), c.weight!.to(x.dtype), c.bias!.to(x.dtype));
    }
}
