namespace FastStyle.Data;

/// <summary>
/// Winograd's minimal filtering F(4x4,3x3) (Lavin and Gray 2016, interpolation points 0, ±1, ±2):
/// a 4x4 output tile of a 3x3 convolution is A^T [(G g G^T) ⊙ (B^T d B)] A for the 6x6 input tile d,
/// 36 multiplications instead of 144. Both the loss network (training, optimisation) and the
/// inference graph compute their 3x3 stride-1 convolutions this way on the CPUs below.
/// </summary>
public static class WinogradF4x3
{
    public const int InputTile = 6;
    public const int OutputTile = 4;
    public const int Points = InputTile * InputTile;

    /// <summary>Filter transform G, 6x3 row-major.</summary>
    public static ReadOnlySpan<double> G =>
    [
        1.0 / 4, 0, 0,
        -1.0 / 6, -1.0 / 6, -1.0 / 6,
        -1.0 / 6, 1.0 / 6, -1.0 / 6,
        1.0 / 24, 1.0 / 12, 1.0 / 6,
        1.0 / 24, -1.0 / 12, 1.0 / 6,
        0, 0, 1,
    ];

    /// <summary>Data transform B^T, 6x6 row-major.</summary>
    public static ReadOnlySpan<double> BT =>
    [
        4, 0, -5, 0, 1, 0,
        0, -4, -4, 1, 1, 0,
        0, 4, -4, -1, 1, 0,
        0, -2, -1, 2, 1, 0,
        0, 2, -1, -2, 1, 0,
        0, 4, 0, -5, 0, 1,
    ];

    /// <summary>Output transform A^T, 4x6 row-major.</summary>
    public static ReadOnlySpan<double> AT =>
    [
        1, 1, 1, 1, 1, 0,
        0, 1, -1, 2, -2, 0,
        0, 1, 1, 4, 4, 0,
        0, 1, -1, 8, -8, 1,
    ];

    /// <summary>Set to 0 to run every convolution directly, or 1 to use Winograd wherever it can run.</summary>
    public const string SwitchVariable = "FASTSTYLE_WINOGRAD";

    /// <summary>The switch's answer: true or false when set to 1 or 0, null (decide by CPU) otherwise.</summary>
    public static bool? Forced => Environment.GetEnvironmentVariable(SwitchVariable) switch { "0" => false, "1" => true, _ => null };

    /// <summary>
    /// Where it was measured faster than the direct convolutions (oneDNN's in libtorch, MLAS's in ONNX
    /// Runtime): x86 with AVX2 and without AVX-512 (AMD EPYC Zen 3). With AVX-512 both libraries' direct
    /// kernels are twice as wide, oneDNN has its own Winograd, and this was not measured.
    /// </summary>
    public static bool PaysOn(CpuFeatures cpu) => cpu.Flags.Contains("avx2") && !cpu.Flags.Contains("avx512f");

    /// <summary>The switch if set, otherwise <see cref="PaysOn"/>.</summary>
    public static bool Use(CpuFeatures cpu, bool? forced) => forced ?? PaysOn(cpu);

    /// <summary>G g G^T of every filter of a [out, in, 3, 3] weight, laid out [36, out, in] (point-major, so each point's
    /// filters are one matrix for the per-point products).</summary>
    public static float[] TransformFilters(ReadOnlySpan<float> weight, int outs, int ins)
    {
        var transformed = new float[Points * outs * ins];
        Span<double> one = stackalloc double[Points];
        for (int o = 0; o < outs; o++)
            for (int i = 0; i < ins; i++)
            {
                TransformFilter(weight.Slice((o * ins + i) * 9, 9), one);
                for (int p = 0; p < Points; p++)
                    transformed[((long)p * outs + o) * ins + i] = (float)one[p];
            }
        return transformed;
    }

    static void TransformFilter(ReadOnlySpan<float> filter3x3, Span<double> transformed)
    {
        Span<double> gg = stackalloc double[InputTile * 3]; // G g: 6x3
        var g = G;
        for (int i = 0; i < InputTile; i++)
            for (int b = 0; b < 3; b++)
                gg[i * 3 + b] = g[i * 3] * filter3x3[b] + g[i * 3 + 1] * filter3x3[3 + b] + g[i * 3 + 2] * filter3x3[6 + b];
        for (int i = 0; i < InputTile; i++)
            for (int j = 0; j < InputTile; j++)
                transformed[i * InputTile + j] = gg[i * 3] * g[j * 3] + gg[i * 3 + 1] * g[j * 3 + 1] + gg[i * 3 + 2] * g[j * 3 + 2];
    }
}
