namespace FastStyle.Data;

/// <summary>
/// The CPU's vendor, model name and instruction-set flags, as /proc/cpuinfo lists them. bf16 is only worth
/// using where the hardware computes it: without AVX512-BF16 or AMX, oneDNN emulates bf16 and a
/// 4x128 training step took about 3 minutes instead of 1.8 s in fp32 (AMD EPYC Zen 3, AVX2 only; issue 10).
/// </summary>
public sealed record CpuFeatures(string Model, IReadOnlySet<string> Flags, string Vendor = "")
{
    static readonly string[] NativeBf16Flags = ["avx512_bf16", "amx_bf16"];

    public bool HasNativeBf16 => NativeBf16Flags.Any(Flags.Contains);

    /// <summary>The flags that make bf16 native, as this CPU lists them (for the printed reason).</summary>
    public IEnumerable<string> NativeBf16FlagsPresent => NativeBf16Flags.Where(Flags.Contains);

    public bool IsAmd => Vendor == "AuthenticAMD";

    public static CpuFeatures Unknown { get; } = new("unknown CPU", new HashSet<string>());

    static CpuFeatures? current;

    /// <summary>This machine's CPU (read once; unknown where /proc/cpuinfo does not exist).</summary>
    public static CpuFeatures Current => current ??= Read("/proc/cpuinfo");

    public static CpuFeatures Read(string cpuinfoPath)
    {
        if (!File.Exists(cpuinfoPath)) return Unknown;
        return Parse(File.ReadLines(cpuinfoPath));
    }

    /// <summary>Vendor, model and flags of the first processor entry.</summary>
    public static CpuFeatures Parse(IEnumerable<string> cpuinfoLines)
    {
        string model = Unknown.Model, vendor = "";
        HashSet<string>? flags = null;
        foreach (var line in cpuinfoLines)
        {
            int colon = line.IndexOf(':');
            if (colon < 0) continue;
            string key = line[..colon].Trim(), value = line[(colon + 1)..].Trim();
            if (key == "model name" && model == Unknown.Model) model = value;
            if (key == "vendor_id" && vendor == "") vendor = value;
            // x86 says "flags", ARM says "Features".
            if ((key == "flags" || key == "Features") && flags == null)
                flags = value.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
            if (flags != null && model != Unknown.Model) break;
        }
        return new CpuFeatures(model, flags ?? [], vendor);
    }
}
