using System.Globalization;
using FastStyle.Data.Imaging;
using FastStyle.Data.Weights;
using FastStyle.Training.LossNetwork;

// Torch work is CPU-bound on a 2-core machine and several tests swap process-wide state
// (environment variables, Console.Error): run the test classes one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace FastStyle.Training.Tests;

/// <summary>A throw-away folder, deleted on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "faststyle-training-tests-" + Guid.NewGuid().ToString("N")[..12]);

    public TempDir() => Directory.CreateDirectory(Path);

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>Random VGG-19 weight files, loss definitions and synthetic images for the tests.</summary>
internal static class Fixtures
{
    /// <summary>
    /// Random weights for the first <paramref name="convs"/> convs of <paramref name="architecture"/>,
    /// with torchvision names and shapes. He-normal weights (std sqrt(2/fan_in)) keep activations
    /// from vanishing through the ReLUs; biases are small. Deterministic per seed.
    /// </summary>
    public static List<TensorData> RandomVggTensors(int convs, int seed = 1, VggArchitecture? architecture = null)
    {
        architecture ??= VggArchitecture.Vgg19;
        var rng = new Random(seed);
        var tensors = new List<TensorData>();
        foreach (var c in architecture.Convs.Take(convs))
        {
            long[] shape = [c.OutChannels, c.InChannels, 3, 3];
            double std = Math.Sqrt(2.0 / (c.InChannels * 9));
            var w = new float[c.OutChannels * c.InChannels * 9];
            for (int i = 0; i < w.Length; i++) w[i] = (float)(std * Gaussian(rng));
            var b = new float[c.OutChannels];
            for (int i = 0; i < b.Length; i++) b[i] = (float)(0.01 * Gaussian(rng));
            tensors.Add(new TensorData($"features.{c.FeatureIndex}.weight", shape, w));
            tensors.Add(new TensorData($"features.{c.FeatureIndex}.bias", [c.OutChannels], b));
        }
        return tensors;
    }

    /// <summary>Writes <see cref="RandomVggTensors"/> as a safetensors file and returns its path.</summary>
    public static string WriteRandomVgg(string directory, int convs, int seed = 1, string name = "vgg19-random.safetensors")
    {
        string path = Path.Combine(directory, name);
        SafetensorsFile.Write(path, RandomVggTensors(convs, seed));
        return path;
    }

    static readonly Lazy<TempDir> sharedDir = new(() =>
    {
        var dir = new TempDir();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => dir.Dispose();
        return dir;
    });
    static readonly Lazy<string> sharedVgg = new(() => WriteRandomVgg(sharedDir.Value.Path, TinyVggConvs));

    /// <summary>relu1_1, relu1_2, relu2_1, relu2_2, relu3_1: features.0/2/5/7/10.</summary>
    public const int TinyVggConvs = 5;

    /// <summary>One random VGG-19 fixture (first 5 convs, up to relu3_1) per test process.</summary>
    public static string TinyVggPath => sharedVgg.Value;

    /// <summary>
    /// A loss definition that the tiny fixture can serve (nothing deeper than relu3_1). The random
    /// VGG's activations are O(1) (not Caffe's scale), so its raw style terms are ~1e-6: the style
    /// weight brings them to O(1), where float32 L-BFGS can make progress.
    /// </summary>
    public const string TinyLossYaml = """
        network: vgg19
        pooling: max
        content_layers:
          relu2_2: 1
        style_layers:
          relu1_1: 0.5
          relu2_1: 0.5
        content_weight: 1
        style_weight: 1e6
        tv_weight: 0
        """;

    public static string WriteTinyLossYaml(string directory)
    {
        string path = Path.Combine(directory, "loss.yaml");
        File.WriteAllText(path, TinyLossYaml);
        return path;
    }

    /// <summary>A smooth image (a few random sinusoids per channel) in [0.1, 0.9], photo-like rather than noise.</summary>
    public static RgbImage SmoothImage(int width, int height, int seed)
    {
        var rng = new Random(seed);
        var pixels = new float[3 * width * height];
        for (int c = 0; c < 3; c++)
        {
            var waves = Enumerable.Range(0, 3).Select(_ => (fx: rng.NextDouble() * 0.6, fy: rng.NextDouble() * 0.6, phase: rng.NextDouble() * 6.28)).ToArray();
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    double v = waves.Sum(wv => Math.Sin(wv.fx * x + wv.fy * y + wv.phase)) / 3;
                    pixels[(c * height + y) * width + x] = (float)(0.5 + 0.4 * v);
                }
        }
        return new RgbImage(width, height, pixels);
    }

    public static string WriteImage(string path, int width, int height, int seed)
    {
        ImageFile.Save(SmoothImage(width, height, seed), path);
        return path;
    }

    /// <summary>Uniform [0,1) values from a seeded System.Random: the same on every build, independent of torch's global generator.</summary>
    public static TorchSharp.torch.Tensor RandomTensor(long[] shape, int seed)
    {
        var rng = new Random(seed);
        var values = new float[shape.Aggregate(1L, (a, b) => a * b)];
        for (int i = 0; i < values.Length; i++) values[i] = rng.NextSingle();
        return TorchSharp.torch.tensor(values, shape);
    }

    public static string Invariant(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    static double Gaussian(Random rng)
    {
        double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
