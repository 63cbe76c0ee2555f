using FastStyle.Data;
using static TorchSharp.torch;

namespace FastStyle.Training.LossNetwork;

/// <summary>
/// Which of the loss network's convolutions run as <see cref="WinogradConv3x3"/> instead of libtorch's
/// (oneDNN's) direct convolution. Measured on an AVX2-only AMD EPYC (Zen 3), forward plus the data
/// gradient of single layers (`FastStyle.Bench winograd`): 0.5-0.6x the direct time at 256-512
/// channels, 0.7-0.9x at 128, 1.1-1.2x at 64; yet one whole optimisation evaluation was faster with the
/// 64-channel layers in Winograd too (256 px: median 0.61 against 0.71 s, 512 px: 2.32 against 2.60 s,
/// three interleaved runs each), so every float32 layer whose channels fill whole vectors (all but
/// conv1_1), on x86 CPUs with AVX2 and without AVX-512: there oneDNN's direct kernels are twice as
/// wide and it has its own Winograd, and this code was not measured.
/// </summary>
public static class WinogradPolicy
{
    public static bool Applies(VggConv conv, ScalarType computeType, bool? forced)
        => Applies(conv, computeType, CpuFeatures.Current, forced);

    internal static bool Applies(VggConv conv, ScalarType computeType, CpuFeatures cpu, bool? forced)
    {
        if (computeType != ScalarType.Float32 || !WinogradConv3x3.Supports(conv.InChannels, conv.OutChannels)) return false;
        return WinogradF4x3.Use(cpu, forced);
    }
}
