using BenchmarkDotNet.Attributes;
using FastStyle.Data.Imaging;
using FastStyle.Inference;
using FastStyle.Training.Export;
using FastStyle.Training.Networks;
using FastStyle.Training.Tensors;
using TorchSharp;

namespace FastStyle.Bench;

/// <summary>
/// One forward pass of the default network (32 base channels, 5 residual blocks) at 256/512/1024 px:
/// ONNX Runtime (what `stylize` uses) vs TorchSharp (what training uses). Issue 4's peer:
/// PyTorch 1.13, 2 threads: 0.123 / 0.573 / 3.52 s.
/// </summary>
[MemoryDiagnoser(false)]
public class InferenceBenchmarks
{
    [Params(256, 512, 1024)]
    public int Size;

    TransformerNet net = null!;
    Stylizer stylizer = null!;
    RgbImage image = null!;
    string folder = null!;

    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(Environment.ProcessorCount);
        folder = Directory.CreateTempSubdirectory("faststyle-bench-").FullName;
        (net, string model) = ExportRandomModel(new TransformerArchitecture(), folder);
        stylizer = Stylizer.Load(model);
        // Pixel values do not change the work either; seeded so runs see the same input.
        image = new RgbImage(Size, Size);
        var random = new Random(1);
        for (int i = 0; i < image.Pixels.Length; i++) image.Pixels[i] = random.NextSingle();
    }

    /// <summary>A seeded random network (weights do not change the work) and its ONNX export in <paramref name="folder"/>.</summary>
    public static (TransformerNet Net, string ModelPath) ExportRandomModel(TransformerArchitecture architecture, string folder)
    {
        torch.manual_seed(1);
        var net = new TransformerNet(architecture);
        net.eval();
        string model = Path.Combine(folder, "bench.onnx");
        var styles = Enumerable.Range(0, architecture.Styles).Select(i => new StyleEntry($"style{i}", "0")).ToList();
        CheckpointExporter.Export(architecture, net.ExportWeights(), new ModelMetadata("bench", "0", 0, "0", architecture) { Styles = styles }, "random", model);
        return (net, model);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        stylizer.Dispose();
        net.Dispose();
        Directory.Delete(folder, true);
    }

    [Benchmark(Baseline = true)]
    public RgbImage OnnxRuntime() => stylizer.Stylize(image, new StyleSettings(TileSize: 4096));

    [Benchmark]
    public float TorchSharp()
    {
        using var scope = torch.NewDisposeScope();
        return net.Stylize(ImageTensors.ToTensor(image)).sum().item<float>();
    }
}
