using FastStyle.Data;
using System.Runtime.InteropServices;
using FastStyle.Training.Native;
using FastStyle.Training.Runs;
using Xunit;

namespace FastStyle.Training.Tests;

/// <summary>MKL's AVX-512 kernels on AMD CPUs (issue 10): when the shim applies, and that it is really in place.</summary>
public partial class MklCpuDispatchTests
{
    static CpuFeatures Cpu(string vendor, string flags) => CpuFeatures.Parse(
    [
        "processor\t: 0",
        $"vendor_id\t: {vendor}",
        "model name\t: Test CPU",
        $"flags\t\t: fpu sse2 {flags}",
    ]);

    [Theory]
    [InlineData("AuthenticAMD", "avx2 avx512f avx512_bf16", true)]
    [InlineData("AuthenticAMD", "avx2 fma", true)]      // Zen 3: measured faster too
    [InlineData("AuthenticAMD", "sse4_2 avx", false)]   // no AVX2: not measured, MKL keeps its own choice
    [InlineData("GenuineIntel", "avx2 avx512f", false)] // MKL already answers "Intel"
    public void Applies_to_amd_cpus_with_avx2_or_avx512(string vendor, string flags, bool expected)
        => Assert.Equal(expected, MklCpuDispatch.Applies(Cpu(vendor, flags)));

    /// <summary>Runs only where it applies; elsewhere the status must say why it did not.</summary>
    [Fact]
    public void On_this_machine_mkls_vendor_check_resolves_to_the_shim_exactly_when_it_applies()
    {
        bool expected = OperatingSystem.IsLinux() && MklCpuDispatch.Applies(CpuFeatures.Current)
            && Environment.GetEnvironmentVariable(MklCpuDispatch.SwitchVariable) != "0"
            && File.Exists(Path.Combine(AppContext.BaseDirectory, MklCpuDispatch.LibraryFile));
        Assert.Equal(expected, MklCpuDispatch.Enabled);
        if (!expected)
        {
            Assert.DoesNotContain("enabled", MklCpuDispatch.Status);
            return;
        }
        // The name libtorch's MKL looks up in the global scope must be ours, or MKL keeps the vendor check.
        var address = dlsym(IntPtr.Zero, "mkl_serv_intel_cpu_true");
        Assert.NotEqual(IntPtr.Zero, address);
        Assert.NotEqual(0, dladdr(address, out var info));
        Assert.EndsWith(MklCpuDispatch.LibraryFile, Marshal.PtrToStringUTF8(info.FileName));
    }

    [StructLayout(LayoutKind.Sequential)]
    struct DlInfo
    {
        public IntPtr FileName, FileBase, SymbolName, SymbolAddress;
    }

    [LibraryImport("libdl.so.2", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr dlsym(IntPtr handle, string name);

    [LibraryImport("libdl.so.2")]
    private static partial int dladdr(IntPtr address, out DlInfo info);
}
