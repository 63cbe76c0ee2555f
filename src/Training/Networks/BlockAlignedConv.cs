using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace FastStyle.Training.Networks;

/// <summary>
/// <c>conv2d</c> with the output channels padded to a multiple of 16 (zero filters, sliced off again) when
/// they are not one. Why: libtorch 2.10's CPU convolution computes wrong numbers on an AMD EPYC Zen 5
/// (family 26 model 2, AVX-512) when the output channels are not a multiple of 16: at stride 1 the float32
/// input gradient (2-11% off for small 3x3 layers at a batch over 1, 87% for a 9x9 32->3 layer even at
/// batch 1, sometimes NaN), and at any stride the bfloat16 values (6-150% off); float32 values and weight
/// gradients are right (measured against float64; session 18). The Zen 3 is not affected. With whole blocks
/// of 16 values and gradients are right on both. Only narrow networks pay for the padding:
/// every convolution of the default width already has 16, 32, 48, 64, 128 or 256 output channels.
/// </summary>
internal static class BlockAlignedConv
{
    public const int ChannelBlock = 16;

    /// <summary>F.conv2d(x, weight, bias) with stride <paramref name="stride"/> and no padding; weight and bias in x's dtype.</summary>
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor bias, long stride = 1)
    {
        long outChannels = weight.shape[0], missing = (ChannelBlock - outChannels % ChannelBlock) % ChannelBlock;
        if (missing == 0) return F.conv2d(x, weight, bias, strides: [stride, stride]);
        using var paddedWeight = F.pad(weight, [0, 0, 0, 0, 0, 0, 0, missing]);
        using var paddedBias = F.pad(bias, [0, missing]);
        using var full = F.conv2d(x, paddedWeight, paddedBias, strides: [stride, stride]);
        return full.narrow(1, 0, outChannels);
    }
}
