using System.Diagnostics;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using FastStyle.Data.Imaging;
using FastStyle.Inference;
using FastStyle.Training.LossNetwork;
using FastStyle.Training.Losses;
using FastStyle.Training.Optimization;
using FastStyle.Training.Runs;
using TorchSharp;

namespace FastStyle.Bench;

/// <summary>
/// The PyTorch peer's configurations (../shared/peer/README.md) timed through the product's own code:
/// a training step is <see cref="TrainingStep"/> fed by <see cref="FastStyle.Data.Datasets.ImageFolderDataset"/>,
/// stylising is <see cref="Stylizer.Stylize"/> (ONNX Runtime), an optimisation evaluation is one
/// iteration of <see cref="GatysOptimizer"/>. Prints one JSON line with the peer's fields; one
/// configuration per process, so that peak RSS belongs to it. Progress goes to stderr.
///   json train --size 128 --batch 4 --amp none|bf16 --vgg V --data DIR --style IMG
///   json infer --size 256 [--styles N] [--blocks N] --content IMG
///   json gatys --size 256 --amp none|bf16 --vgg V --content IMG --style IMG
///   common: --warmup 2 --steps 5 --threads 2 --tag NAME
/// </summary>
public static class PeerBenchmark
{
    /// <summary>The peer's training loss layers (pytorch/examples'): content relu2_2, style relu1_2..relu4_3.
    /// The weights stay ours: on this VGG file's Caffe scale the peer's 1e10 would overflow float32.</summary>
    static readonly LossConfig PeerTrainingLoss = LossConfig.TrainingDefaults with
    {
        ContentLayers = new Dictionary<string, double> { ["relu2_2"] = 1 },
        StyleLayers = new Dictionary<string, double> { ["relu1_2"] = 0.25, ["relu2_2"] = 0.25, ["relu3_3"] = 0.25, ["relu4_3"] = 0.25 },
    };

    const string TransparentHugePages = "/sys/kernel/mm/transparent_hugepage/enabled";

    static readonly string[] IsaFlags = ["avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile", "amx_bf16"];

    public static int Run(string[] args)
    {
        var o = Options.Parse(args);
        torch.set_num_threads(o.Threads);
        var record = o.Kind switch
        {
            "train" => Train(o),
            "infer" => Infer(o),
            "gatys" => Gatys(o),
            _ => throw new ArgumentException($"unknown kind '{o.Kind}' (train, infer or gatys)"),
        };
        record["peak_rss_mib"] = ProcessUsage.PeakRssMiB();
        record["threads"] = torch.get_num_threads();
        record["OMP_NUM_THREADS"] = Environment.GetEnvironmentVariable("OMP_NUM_THREADS");
        var cpuinfo = File.ReadAllLines("/proc/cpuinfo");
        var flags = (cpuinfo.FirstOrDefault(l => l.StartsWith("flags")) ?? ":").Split(':', 2)[1].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        record["cpu"] = (cpuinfo.FirstOrDefault(l => l.StartsWith("model name")) ?? ":").Split(':', 2)[1].Trim();
        record["ncpu"] = Environment.ProcessorCount;
        record["isa"] = new JsonArray(IsaFlags.Where(flags.Contains).Select(f => (JsonNode)f).ToArray());
        record["mkl_amd_avx512"] = FastStyle.Training.Native.MklCpuDispatch.Status;
        record["glibc_tunables"] = Environment.GetEnvironmentVariable("GLIBC_TUNABLES") ?? "";
        record["transparent_hugepages"] = File.Exists(TransparentHugePages) ? File.ReadAllText(TransparentHugePages).Trim() : "unknown";
        Console.WriteLine(record.ToJsonString(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        return 0;
    }

    static JsonObject Train(Options o)
    {
        var precision = o.Amp == "bf16" ? Precision.BFloat16 : Precision.Float32;
        using var outer = torch.NewDisposeScope();
        // The peer reads the style at its own size (mosaic.jpg: 470x391).
        using var setup = TrainingSetup.Create(o.Required("vgg"), o.Required("data"), o.Required("style"), ImageLoadOptions.Original,
            PeerTrainingLoss, o.Batch, o.Size, precision);
        var data = new List<double>();
        var compute = new List<double>();
        var losses = new JsonArray();
        ContentionMeter? meter = null;
        for (int i = 0; i < o.Warmup + o.Steps; i++)
        {
            if (i == o.Warmup) meter = new ContentionMeter();
            var clock = Stopwatch.StartNew();
            var batch = setup.Data.Next();
            double waited = clock.Elapsed.TotalSeconds;
            var (values, _) = setup.Step.Run(batch); // reads the losses back: all work has finished
            double total = clock.Elapsed.TotalSeconds;
            if (!double.IsFinite(values.Total)) throw new InvalidOperationException($"loss {values.Total} at step {i}: the step skipped its backward pass");
            Log(o, i, $"data={waited:F4} compute={total - waited:F4} content={values.Content:G4} style={values.Style:G4}");
            if (i < o.Warmup) continue;
            data.Add(waited);
            compute.Add(total - waited);
            losses.Add(new JsonArray(Math.Round(values.Content, 5), Math.Round(values.Style, 5)));
        }
        var steps = data.Zip(compute, (d, c) => d + c).ToList();
        double flop = WorkFlops.TrainStep(setup.Net.Architecture, VggArchitecture.Vgg19, "relu4_3", o.Batch, o.Size);
        var record = Headline(o, "train", "s/step (data + compute)", o.Batch, steps, meter!, flop);
        record["images_per_s"] = Math.Round(o.Batch / Median(steps), 2);
        record["data"] = Summary(data);
        record["compute"] = Summary(compute);
        record["losses_content_style"] = losses;
        record["style_px"] = new JsonArray(setup.StyleWidth, setup.StyleHeight);
        record["n_images"] = setup.Data.Files.Count;
        record["code_path"] = "ImageFolderDataset.Next + TrainingStep.Run (background decode with random crops; VGG on the content batch only to relu2_2)";
        return record;
    }

    static JsonObject Infer(Options o)
    {
        var folder = Directory.CreateTempSubdirectory("faststyle-bench-").FullName;
        try
        {
            var architecture = new TransformerArchitecture { Styles = o.Styles, ResidualBlocks = o.Blocks };
            var (net, model) = InferenceBenchmarks.ExportRandomModel(architecture, folder);
            net.Dispose();
            using var stylizer = Stylizer.Load(model, new StylizerOptions(o.Threads));
            // As the peer: the content resized to SIZE x SIZE, decoding and resizing not timed.
            var image = ImageFile.Load(o.Required("content"), new ImageLoadOptions { ExactSize = (o.Size, o.Size) });
            var times = new List<double>();
            ContentionMeter? meter = null;
            for (int i = 0; i < o.Warmup + o.Steps; i++)
            {
                if (i == o.Warmup) meter = new ContentionMeter();
                var clock = Stopwatch.StartNew();
                var output = stylizer.Stylize(image, StyleSettings.Default);
                double seconds = clock.Elapsed.TotalSeconds;
                Log(o, i, $"s={seconds:F4} out={output.Width}x{output.Height}");
                if (i >= o.Warmup) times.Add(seconds);
            }
            var record = Headline(o, "infer", "s/image", 1, times, meter!, WorkFlops.Stylize(architecture, o.Size));
            record["styles"] = o.Styles;
            record["residual_blocks"] = o.Blocks;
            record["winograd_convolutions"] = stylizer.WinogradConvolutions;
            record["code_path"] = "Stylizer.Stylize(StyleSettings.Default): ONNX Runtime run, output copied into a new image";
            return record;
        }
        finally { Directory.Delete(folder, true); }
    }

    static JsonObject Gatys(Options o)
    {
        if (o.Warmup < 1) throw new ArgumentException("gatys needs --warmup 1 or more (an iteration is timed from the end of the one before)");
        using var outer = torch.NewDisposeScope();
        var config = LossConfig.GatysDefaults; // the peer's layers: content relu4_2, style relu1_1..relu5_1
        var loss = PerceptualLoss.Load(o.Required("vgg"), config);
        if (o.Amp == "bf16") loss.Network.UseComputeType(torch.ScalarType.BFloat16); // as `optimize` with precision bf16
        var exact = new ImageLoadOptions { ExactSize = (o.Size, o.Size) };
        var content = ImageFile.Load(o.Required("content"), exact);
        var style = ImageFile.Load(o.Required("style"), exact);
        int total = o.Warmup + o.Steps;
        var times = new List<double>();
        var losses = new JsonArray();
        ContentionMeter? meter = null;
        (double, double, double) contention = default;
        double previous = 0;
        // One L-BFGS iteration is one loss+gradient evaluation (LineSearchLbfgs); the callback
        // after iteration N-1 starts the clock of iteration N.
        new GatysOptimizer(loss).Run(content, style, new OptimizeOptions { Iterations = total }, entry =>
        {
            int i = entry.Iteration;
            if (i >= total) return; // the final clipped image's loss, not an iteration
            double seconds = entry.Seconds - previous;
            previous = entry.Seconds;
            Log(o, i, $"s={seconds:F4} loss={entry.Loss.Total:G5}");
            if (i >= o.Warmup)
            {
                times.Add(seconds);
                losses.Add(Math.Round(entry.Loss.Total, 5));
            }
            if (i == o.Warmup - 1) meter = new ContentionMeter();
            if (i == total - 1) contention = meter!.Stop();
        });
        var record = Headline(o, "gatys", "s/closure eval", 1, times, contention, WorkFlops.GatysEvaluation(VggArchitecture.Vgg19, "relu5_1", o.Size));
        record["evals_per_step"] = new JsonArray(times.Select(_ => (JsonNode)1).ToArray());
        record["losses"] = losses;
        record["code_path"] = "GatysOptimizer.Run iterations (LineSearchLbfgs, one evaluation each, loss values read back)";
        return record;
    }

    static JsonObject Headline(Options o, string bench, string metric, int batch, List<double> seconds, ContentionMeter meter, double flop)
        => Headline(o, bench, metric, batch, seconds, meter.Stop(), flop);

    static JsonObject Headline(Options o, string bench, string metric, int batch, List<double> seconds, (double Other, double Own, double Steal) contention, double flop)
    {
        double median = Median(seconds);
        return new JsonObject
        {
            ["side"] = "ours",
            ["tag"] = o.Tag ?? $"{bench}{o.Size}",
            ["bench"] = bench,
            ["size"] = o.Size,
            ["batch"] = batch,
            ["amp"] = o.Amp,
            ["metric"] = metric,
            ["warmup"] = o.Warmup,
            ["steps"] = o.Steps,
            ["median_s"] = Math.Round(median, 4),
            ["min_s"] = Math.Round(seconds.Min(), 4),
            ["max_s"] = Math.Round(seconds.Max(), 4),
            ["gflop"] = Math.Round(flop / 1e9, 2),
            ["gflops"] = Math.Round(flop / 1e9 / median, 1),
            ["other_cores_busy"] = contention.Other,
            ["own_cores"] = contention.Own,
            ["steal_cores"] = contention.Steal,
        };
    }

    /// <summary>Python's statistics.median (the mean of the middle two for an even count), as the peer.</summary>
    static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToList();
        int n = sorted.Count;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    static JsonObject Summary(List<double> values) => new()
    {
        ["median"] = Math.Round(Median(values), 4),
        ["min"] = Math.Round(values.Min(), 4),
        ["max"] = Math.Round(values.Max(), 4),
        ["n"] = values.Count,
    };

    static void Log(Options o, int step, string text)
        => Console.Error.WriteLine($"[{o.Tag}] step {step} {(step < o.Warmup ? "warmup" : "timed ")} {text}");

    sealed class Options
    {
        public string Kind = "";
        public int Size, Batch = 4, Warmup = 2, Steps = 5, Threads = 2;
        public string Amp = "none";
        /// <summary>infer: styles the random network holds (the first one runs), to time conditional instance norm.</summary>
        public int Styles = 1;
        /// <summary>infer: residual blocks of the random network (a deeper multi-style model is timed against a single-style one as deep).</summary>
        public int Blocks = new TransformerArchitecture().ResidualBlocks;
        public string? Tag;
        readonly Dictionary<string, string> paths = new();

        public string Required(string name) => paths.TryGetValue(name, out var v) ? v : throw new ArgumentException($"--{name} is required for {Kind}");

        public static Options Parse(string[] args)
        {
            var o = new Options { Kind = args.FirstOrDefault() ?? "" };
            for (int i = 1; i < args.Length; i += 2)
            {
                string key = args[i].TrimStart('-');
                string value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
                switch (key)
                {
                    case "size": o.Size = int.Parse(value); break;
                    case "batch": o.Batch = int.Parse(value); break;
                    case "styles": o.Styles = int.Parse(value); break;
                    case "blocks": o.Blocks = int.Parse(value); break;
                    case "warmup": o.Warmup = int.Parse(value); break;
                    case "steps": o.Steps = int.Parse(value); break;
                    case "threads": o.Threads = int.Parse(value); break;
                    case "amp": o.Amp = value is "none" or "bf16" ? value : throw new ArgumentException("--amp takes none or bf16"); break;
                    case "tag": o.Tag = value; break;
                    case "vgg" or "data" or "style" or "content": o.paths[key] = value; break;
                    default: throw new ArgumentException($"unknown option {args[i]}");
                }
            }
            if (o.Size < 16) throw new ArgumentException("--size is required (at least 16)");
            if (o.Steps < 1) throw new ArgumentException("--steps must be at least 1");
            o.Tag ??= $"{o.Kind}{o.Size}_{(o.Amp == "bf16" ? "bf16" : "fp32")}";
            return o;
        }
    }
}
