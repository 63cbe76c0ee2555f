using FastStyle.Data;
using FastStyle.Inference;
using TorchSharp;

namespace FastStyle.Training.Runs;

/// <summary>The compute type a run actually uses.</summary>
public enum Precision { [Spelled("fp32")] Float32, [Spelled("bf16")] BFloat16 }

/// <summary>What the user asked for: `precision: auto | bf16 | fp32` in a config, `--precision` on optimize.</summary>
public enum PrecisionSetting { [Spelled("auto")] Auto, [Spelled("fp32")] Float32, [Spelled("bf16")] BFloat16 }

/// <summary>The chosen compute type, why, and (for an explicit bf16 without hardware support) a warning.</summary>
public sealed record PrecisionDecision(Precision Precision, string Reason, string? Warning)
{
    public string Name => PrecisionPolicy.Spelling(Precision);

    public torch.ScalarType ComputeType => PrecisionPolicy.ComputeType(Precision);

    /// <summary>One line for the start of a run: "precision bf16 (auto: ...)".</summary>
    public string Describe() => $"precision {Name} ({Reason})";
}

/// <summary>Turns a <see cref="PrecisionSetting"/> into the compute type for this hardware.</summary>
public static class PrecisionPolicy
{
    public static string Spelling(Precision precision) => EnumText<Precision>.Of(precision);

    /// <summary>The tensor type a <see cref="Precision"/> computes in.</summary>
    public static torch.ScalarType ComputeType(Precision precision)
        => precision == Precision.BFloat16 ? torch.ScalarType.BFloat16 : torch.ScalarType.Float32;

    /// <summary>The decision on this machine (CPU flags from /proc/cpuinfo; training runs on the CPU).</summary>
    public static PrecisionDecision Decide(PrecisionSetting setting) => Decide(setting, CpuFeatures.Current);

    internal static PrecisionDecision Decide(PrecisionSetting setting, CpuFeatures cpu)
    {
        string hardware = cpu.HasNativeBf16
            ? $"{cpu.Model} computes bf16 natively ({string.Join(", ", cpu.NativeBf16FlagsPresent)})"
            : $"{cpu.Model} has no AVX512-BF16 or AMX, so bf16 would be emulated";
        return setting switch
        {
            PrecisionSetting.Float32 => new(Precision.Float32, "requested", null),
            PrecisionSetting.BFloat16 when cpu.HasNativeBf16 => new(Precision.BFloat16, $"requested; {hardware}", null),
            PrecisionSetting.BFloat16 => new(Precision.BFloat16, "requested",
                $"precision bf16 was requested, but {hardware}: expect it to run 10-100x slower than fp32 " +
                "(a 4x128 training step took about 3 min instead of 1.8 s on an AVX2-only EPYC). Use precision auto or fp32."),
            _ when cpu.HasNativeBf16 => new(Precision.BFloat16, $"auto: {hardware}", null),
            _ => new(Precision.Float32, $"auto: {hardware}", null),
        };
    }
}
