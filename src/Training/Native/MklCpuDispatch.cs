using FastStyle.Data;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FastStyle.Training.Runs;

namespace FastStyle.Training.Native;

/// <summary>
/// Lets libtorch's MKL choose its kernels by the CPU's features on AMD CPUs (issue 10): MKL checks the
/// vendor, not the features. On an AMD EPYC Zen 5 its fp32 matmul (our Gram matrices in fp32 training
/// and optimisation) ran at 208 GFLOP/s instead of 452 (AVX-512); on an AVX2-only Zen 3 the batched
/// GEMMs of the loss network's Winograd convolutions went from 110-137 to 136-146 GFLOP/s and one
/// 256 px optimisation evaluation about 8% faster. Native/mkl_intel_cpu.c answers the vendor check;
/// loading it into the global symbol scope before libtorch is all it takes.
/// </summary>
public static partial class MklCpuDispatch
{
    public const string LibraryFile = "libfaststyle_mkl_intel_cpu.so";
    /// <summary>Set to 0 to leave MKL's vendor check alone (named when only AVX-512 CPUs used it; kept so existing settings still work).</summary>
    public const string SwitchVariable = "FASTSTYLE_MKL_AMD_AVX512";

    /// <summary>What happened, one phrase (benchmarks print it beside the CPU).</summary>
    public static string Status { get; private set; } = "not attempted";

    /// <summary>True when the shim is loaded and MKL will see an Intel answer.</summary>
    public static bool Enabled { get; private set; }

    /// <summary>Whether the shim should be used on this CPU: AMD with AVX-512 or AVX2 (both measured; older AMD CPUs keep MKL's own choice).</summary>
    internal static bool Applies(CpuFeatures cpu) => cpu.IsAmd && (cpu.Flags.Contains("avx512f") || cpu.Flags.Contains("avx2"));

    // A module initializer, because the shim must be in place before TorchSharp loads libtorch, and any
    // entry point (CLI, tests, benchmarks, a user's own program) reaches torch through this assembly.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void LoadBeforeLibtorch() => Status = Load(CpuFeatures.Current, Environment.GetEnvironmentVariable(SwitchVariable), AppContext.BaseDirectory);

    static string Load(CpuFeatures cpu, string? switchValue, string folder)
    {
        if (!OperatingSystem.IsLinux()) return "not applicable (not Linux)";
        if (!Applies(cpu)) return cpu.IsAmd ? "not applied (AMD CPU without AVX2)" : "not needed (not an AMD CPU)";
        if (switchValue == "0") return $"off ({SwitchVariable}=0)";
        string path = Path.Combine(folder, LibraryFile);
        if (!File.Exists(path)) return $"unavailable ({LibraryFile} was not built: no C compiler at build time)";
        try
        {
            if (dlopen(path, RtldNow | RtldGlobal) == IntPtr.Zero) return $"unavailable (dlopen failed: {Marshal.PtrToStringUTF8(dlerror())})";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return $"unavailable ({e.Message})";
        }
        Enabled = true;
        return $"Intel kernel choice enabled (AMD CPU with {(cpu.Flags.Contains("avx512f") ? "avx512f" : "avx2")})";
    }

    const int RtldNow = 0x2, RtldGlobal = 0x100;

    [LibraryImport("libdl.so.2", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr dlopen(string path, int flags);

    [LibraryImport("libdl.so.2")]
    private static partial IntPtr dlerror();
}
