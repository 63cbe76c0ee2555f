using System.Diagnostics;
using FastStyle.Data.Weights;
using FastStyle.Inference;
using Microsoft.ML.OnnxRuntime;

namespace FastStyle.Bench;

/// <summary>
/// Quick ORT timing probe (Stopwatch, median of N after warm-up) of the exported default network.
/// Usage: ort [sizes=256,512] [reps=5] [spin=0|1] [threads=N] [profile=PREFIX] [optimized=PATH] [level=all|ext|basic|none]
/// </summary>
static class OrtProbe
{
    public static void Run(string[] args)
    {
        var kv = args.Select(a => a.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "");
        int[] sizes = (kv.GetValueOrDefault("sizes") ?? "256,512").Split(',').Select(int.Parse).ToArray();
        int reps = int.Parse(kv.GetValueOrDefault("reps") ?? "5");
        var arch = new TransformerArchitecture();
        var rng = new Random(1);
        var weights = new Dictionary<string, TensorData>();
        foreach (var (name, shape) in TransformerWeightLayout.Expected(arch))
        {
            long count = shape.Aggregate(1L, (a, b) => a * b);
            var v = new float[count];
            bool norm = !name.Contains(".conv.");
            double bound = norm ? 0 : 1 / Math.Sqrt(shape.Length == 4 ? shape[1] * shape[2] * shape[3] : 100);
            for (int i = 0; i < count; i++)
            {
                double u = rng.NextDouble() * 2 - 1;
                v[i] = (float)(norm ? (name.EndsWith(".weight") ? 1 + 0.2 * u : 0.1 * u) : bound * u);
            }
            weights[name] = new TensorData(name, shape, v);
        }
        byte[] model = TransformerOnnxExporter.Export(arch, weights, new FastStyle.Inference.ModelMetadata("bench", "0", 0, "0", arch));
        if (kv.TryGetValue("save", out var savePath)) File.WriteAllBytes(savePath, model);

        using var so = new SessionOptions
        {
            IntraOpNumThreads = int.Parse(kv.GetValueOrDefault("threads") ?? Environment.ProcessorCount.ToString()),
            GraphOptimizationLevel = (kv.GetValueOrDefault("level") ?? "all") switch
            {
                "none" => GraphOptimizationLevel.ORT_DISABLE_ALL,
                "basic" => GraphOptimizationLevel.ORT_ENABLE_BASIC,
                "ext" => GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
                _ => GraphOptimizationLevel.ORT_ENABLE_ALL,
            },
        };
        so.AddSessionConfigEntry("session.intra_op.allow_spinning", kv.GetValueOrDefault("spin") ?? "0");
        foreach (var (k, v) in kv.Where(p => p.Key.StartsWith("cfg:")))
            so.AddSessionConfigEntry(k[4..], v);
        if (kv.TryGetValue("optimized", out var opt)) so.OptimizedModelFilePath = opt;
        if (kv.TryGetValue("profile", out var prof)) { so.EnableProfiling = true; so.ProfileOutputPathPrefix = prof; }
        using var session = new InferenceSession(model, so);

        foreach (int size in sizes)
        {
            var img = new float[3 * size * size];
            for (int i = 0; i < img.Length; i++) img[i] = (float)rng.NextDouble();
            var result = new float[img.Length];
            long[] shape = [1, 3, size, size];
            double Once()
            {
                var sw = Stopwatch.StartNew();
                using var input = OrtValue.CreateTensorValueFromMemory(img, shape);
                using var output = OrtValue.CreateTensorValueFromMemory(result, shape);
                using var ro = new RunOptions();
                session.Run(ro, ["input"], [input], ["output"], [output]);
                return sw.Elapsed.TotalMilliseconds;
            }
            Once(); Once();
            var times = Enumerable.Range(0, reps).Select(_ => Once()).OrderBy(t => t).ToArray();
            Console.WriteLine($"{size}: median {times[reps / 2]:F1} ms  min {times[0]:F1}  max {times[^1]:F1}");
        }
        if (so.EnableProfiling) Console.WriteLine("profile: " + session.EndProfiling());
    }
}
