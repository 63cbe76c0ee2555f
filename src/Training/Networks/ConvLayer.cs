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
        using var weight = conv.weight!.to(x.dtype);
        using var bias = conv.bias!.to(x.dtype);
        return BlockAlignedConv.Conv2d(padded, weight, bias, stride);
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
/// The nearest mode is computed at the low resolution, as the ONNX graph does
/// (TransformerGraph.NearestUpsampleConv has the derivation): output row 2i+a reads only rows i-1+a
/// and i+a of the edge-padded input, so one 2x2 conv with the 3x3 taps merged per phase gives the four
/// output phases, which are then interleaved. Same sums, 16 instead of 36 multiply-adds per output, and
/// no full-resolution resize or pad: forward+backward of up1/up2 at 4x256 fp32 went 138/250 ms to 45/65 ms.
/// </summary>
internal sealed class UpsampleLayer : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> conv;
    readonly bool transpose;

    /// <summary>
    /// [phase a, tap u, 3x3 row dy]: which kernel rows land on the 2-tap kernel's row u for output rows
    /// of parity a (u = (a + dy + 1) / 2 - a); columns likewise. Not a field tensor: it would become a buffer.
    /// </summary>
    static readonly float[] TapsPerPhase = [1, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 1];

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
        long n = x.shape[0], h = x.shape[2], w = x.shape[3], outChannels = c.weight!.shape[0], inChannels = c.weight.shape[1];
        using var scope = torch.NewDisposeScope();
        // Merged in float32 before any cast, so a bfloat16 run rounds each merged tap once.
        var taps = torch.tensor(TapsPerPhase, [2, 2, 3], device: c.weight.device);
        var merged = torch.einsum("aud,bve,ocde->abocuv", taps, taps, c.weight).reshape(4 * outChannels, inChannels, 2, 2);
        var phases = BlockAlignedConv.Conv2d(F.pad(x, [1, 1, 1, 1], PaddingModes.Replicate), merged.to(x.dtype), c.bias!.repeat(4).to(x.dtype))
            .view(n, 2, 2, outChannels, h + 1, w + 1);
        // Phase (a,b) is the H x W window at (a,b) of its channel group; out[2i+a, 2j+b] = phase(a,b)[i,j].
        Tensor Phase(long a, long b) => phases.select(1, a).select(1, b).narrow(2, a, h).narrow(3, b, w);
        var interleaved = torch.stack([Phase(0, 0), Phase(0, 1), Phase(1, 0), Phase(1, 1)], 2).reshape(n, 4 * outChannels, h, w);
        return F.pixel_shuffle(interleaved, 2).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// conv_out (reflection pad 4, 9x9, C -> 3) computed as its 4x4 output phases at once, as the ONNX
/// graph does (TransformerGraph.OutputConv): a stride-4 conv with 12x12 kernels, the 9x9 kernel placed
/// at offset (a,b) for phase (a,b), then pixel shuffle. Same sums; the gain is that oneDNN computes
/// output channels in blocks of 16, so 3 outputs ran at 3/16 efficiency and 48 fill three blocks:
/// forward+backward at 4x256 fp32 186 -> 115 ms. Needs H and W multiples of 4, which
/// <see cref="TransformerNet.Transform"/> guarantees. Same parameters (and state-dict names) as <see cref="ConvLayer"/>.
/// </summary>
internal sealed class OutputConvLayer : nn.Module<Tensor, Tensor>
{
    const int Phases = Inference.TransformerArchitecture.SizeMultiple;
    readonly Conv2d conv;

    public OutputConvLayer(long inChannels, long outChannels, long kernelSize) : base(nameof(OutputConvLayer))
    {
        conv = nn.Conv2d(inChannels, outChannels, kernelSize);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        long k = conv.weight!.shape[2], outChannels = conv.weight.shape[0], inChannels = conv.weight.shape[1];
        using var scope = torch.NewDisposeScope();
        // Channel o*16 + a*4 + b holds phase (a,b) of output o: pixel_shuffle's order.
        var shifted = new List<Tensor>();
        for (long a = 0; a < Phases; a++)
            for (long b = 0; b < Phases; b++)
                shifted.Add(F.pad(conv.weight, [b, Phases - 1 - b, a, Phases - 1 - a]));
        var weight = torch.stack(shifted, 1).reshape(outChannels * Phases * Phases, inChannels, k + Phases - 1, k + Phases - 1);
        var bias = conv.bias!.repeat_interleave(Phases * Phases);
        var padded = F.pad(x, [k / 2, k / 2, k / 2, k / 2], PaddingModes.Reflect);
        var phases = F.conv2d(padded, weight.to(x.dtype), bias.to(x.dtype), strides: [Phases, Phases]);
        return F.pixel_shuffle(phases, Phases).MoveToOuterDisposeScope();
    }
}
