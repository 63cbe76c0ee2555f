using FastStyle.Training.Runs;
using static TorchSharp.torch;

namespace FastStyle.Training.LossNetwork;

/// <summary>
/// Which of the loss network's convolutions run as <see cref="WinogradConv3x3"/> instead of libtorch's
/// (oneDNN's) direct convolution. Measured on an AVX2-only AMD EPYC (Zen 3), forward plus the data
/// gradient (`FastStyle.Bench winograd`): 0.5-0.6x the direct time at 256-512 channels, 0.8x at 128, but
/// 1.1-1.2x at 64 input channels, where the transforms cost more than the multiplications they save.
/// So float32 layers with at least 128 input channels, on x86 CPUs without AVX-512: there oneDNN's
/// direct kernels are twice as wide and it has its own Winograd, and this code was not measured.
/// </summary>
public static class WinogradPolicy
{
    /// <summary>Set to 0 to run every convolution directly, or 1 to use Winograd wherever it can run.</summary>
    public const string SwitchVariable = "FASTSTYLE_WINOGRAD";

    public const int MinimumInputChannels = 128;

    /// <summary>The switch's answer: true or false when set to 1 or 0, null (decide per layer and CPU) otherwise.</summary>
    public static bool? Forced => Environment.GetEnvironmentVariable(SwitchVariable) switch { "0" => false, "1" => true, _ => null };

    public static bool Applies(VggConv conv, ScalarType computeType, bool? forced)
        => Applies(conv, computeType, CpuFeatures.Current, forced);

    internal static bool Applies(VggConv conv, ScalarType computeType, CpuFeatures cpu, bool? forced)
    {
        if (computeType != ScalarType.Float32 || !WinogradConv3x3.Supports(conv.InChannels, conv.OutChannels)) return false;
        return forced ?? (conv.InChannels >= MinimumInputChannels && cpu.Flags.Contains("avx2") && !cpu.Flags.Contains("avx512f"));
    }
}
