using FastStyle.Data;
using FastStyle.Training.Runs;
using Xunit;

namespace FastStyle.Training.Tests;

/// <summary>Which compute type `precision: auto | bf16 | fp32` picks for a given CPU (issue 10).</summary>
public class PrecisionPolicyTests
{
    static CpuFeatures Cpu(string flags) => CpuFeatures.Parse(
    [
        "processor\t: 0",
        "model name\t: Test CPU",
        $"flags\t\t: fpu sse2 {flags}",
        "",
        "processor\t: 1",
        "model name\t: Other CPU",
        "flags\t\t: fpu",
    ]);

    [Theory]
    [InlineData("avx2 fma", PrecisionSetting.Auto, Precision.Float32)]
    [InlineData("avx2 avx512f avx512bw", PrecisionSetting.Auto, Precision.Float32)]
    [InlineData("avx2 avx512f avx512_bf16", PrecisionSetting.Auto, Precision.BFloat16)]
    [InlineData("avx2 amx_tile amx_bf16", PrecisionSetting.Auto, Precision.BFloat16)]
    [InlineData("avx2 avx512_bf16", PrecisionSetting.Float32, Precision.Float32)]
    [InlineData("avx2", PrecisionSetting.BFloat16, Precision.BFloat16)]
    public void Decision_follows_the_setting_and_the_cpu_flags(string flags, PrecisionSetting setting, Precision expected)
    {
        Assert.Equal(expected, PrecisionPolicy.Decide(setting, Cpu(flags)).Precision);
    }

    [Fact]
    public void Explicit_bf16_without_native_support_warns_with_the_expected_slowdown()
    {
        var decision = PrecisionPolicy.Decide(PrecisionSetting.BFloat16, Cpu("avx2 fma"));
        Assert.NotNull(decision.Warning);
        Assert.Contains("slower than fp32", decision.Warning);
        Assert.Contains("Test CPU", decision.Warning);
    }

    [Theory]
    [InlineData("avx2 avx512_bf16", PrecisionSetting.BFloat16)]
    [InlineData("avx2", PrecisionSetting.Auto)]
    [InlineData("avx2", PrecisionSetting.Float32)]
    public void No_warning_when_the_choice_runs_at_full_speed(string flags, PrecisionSetting setting)
    {
        Assert.Null(PrecisionPolicy.Decide(setting, Cpu(flags)).Warning);
    }

    [Fact]
    public void Auto_states_its_reason_naming_the_cpu()
    {
        var decision = PrecisionPolicy.Decide(PrecisionSetting.Auto, Cpu("avx2"));
        Assert.StartsWith("precision fp32 (auto: Test CPU has no AVX512-BF16 or AMX", decision.Describe());
    }

    [Fact]
    public void Only_the_first_processor_entry_counts_and_missing_cpuinfo_means_no_bf16()
    {
        Assert.Equal("Test CPU", Cpu("avx2").Model);
        Assert.False(CpuFeatures.Read("/nonexistent/cpuinfo").HasNativeBf16);
    }

    [Fact]
    public void Config_precision_defaults_to_auto_and_accepts_the_three_spellings()
    {
        string dir = Directory.CreateTempSubdirectory("faststyle-precision").FullName;
        try
        {
            string path = Path.Combine(dir, "c.yaml");
            File.WriteAllText(path, "style_image: s.jpg\n");
            Assert.Equal(PrecisionSetting.Auto, TrainingConfig.Load(path).Precision);
            Assert.Equal(PrecisionSetting.Float32, TrainingConfig.Load(path, ["precision=fp32"]).Precision);
            Assert.Equal(PrecisionSetting.BFloat16, TrainingConfig.Load(path, ["precision=bf16"]).Precision);
            Assert.Throws<FastStyle.Data.FastStyleError>(() => TrainingConfig.Load(path, ["precision=fp16"]));
        }
        finally { Directory.Delete(dir, true); }
    }
}
