using FastStyle.Data.Imaging;
using FastStyle.Data.Weights;
using FastStyle.Inference;

namespace FastStyle.Inference.Tests;

/// <summary>Seeded random networks and images, and a throw-away folder for model files.</summary>
internal static class TestModels
{
    /// <summary>
    /// Weights scaled like PyTorch's default init (uniform +-1/sqrt(fan_in)), instance-norm gains
    /// near 1, and conv_out shifted to ~0.5 and damped so most outputs land inside [0,1]: a
    /// saturated network would make the clipped comparison meaningless.
    /// </summary>
    public static Dictionary<string, TensorData> RandomWeights(TransformerArchitecture arch, int seed)
    {
        var rng = new Random(seed);
        var weights = new Dictionary<string, TensorData>();
        foreach (var (name, shape) in TransformerWeightLayout.Expected(arch))
        {
            long count = shape.Aggregate(1L, (a, b) => a * b);
            var values = new float[count];
            bool norm = !name.Contains(".conv.");
            bool isWeight = name.EndsWith(".weight");
            bool output = name.StartsWith("conv_out");
            // For conv weights fan_in = dim1 * k * k (PyTorch uses dim 1 for ConvTranspose too).
            double bound = norm ? 0 : 1 / Math.Sqrt(name.EndsWith(".weight") ? shape[1] * shape[2] * shape[3] : FanIn(arch, name));
            for (int i = 0; i < count; i++)
            {
                double u = rng.NextDouble() * 2 - 1;
                values[i] = (float)(norm
                    ? (isWeight ? 1 + 0.2 * u : 0.1 * u)
                    : output ? (isWeight ? 0.5 * bound * u : 0.5 + 0.05 * u) : bound * u);
            }
            weights[name] = new TensorData(name, shape, values);
        }
        return weights;
    }

    static double FanIn(TransformerArchitecture arch, string biasName)
    {
        var weightShape = TransformerWeightLayout.Expected(arch).First(e => e.Name == biasName.Replace(".bias", ".weight")).Shape;
        return weightShape[1] * weightShape[2] * weightShape[3];
    }

    /// <summary>A smooth image (a few random sinusoids per channel) in [0.1, 0.9], like a photo rather than noise.</summary>
    public static RgbImage SmoothImage(int width, int height, int seed)
    {
        var rng = new Random(seed);
        var pixels = new float[3 * width * height];
        for (int c = 0; c < 3; c++)
        {
            var waves = Enumerable.Range(0, 3).Select(_ => (fx: rng.NextDouble() * 0.3, fy: rng.NextDouble() * 0.3, phase: rng.NextDouble() * 6.28)).ToArray();
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    double v = waves.Sum(wv => Math.Sin(wv.fx * x + wv.fy * y + wv.phase)) / 3;
                    pixels[(c * height + y) * width + x] = (float)(0.5 + 0.4 * v);
                }
        }
        return new RgbImage(width, height, pixels);
    }

    public static ModelMetadata Metadata(TransformerArchitecture arch)
        => new("test-style", new string('a', 64), 1234, "cfg-hash-1", arch);

    public static readonly StylizerOptions Options = new(IntraOpThreads: 1);
}

/// <summary>A temporary folder deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("faststyle-inference-tests-").FullName;
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
