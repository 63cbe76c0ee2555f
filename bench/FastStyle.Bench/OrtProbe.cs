using System.Diagnostics;
using FastStyle.Data.Weights;
using FastStyle.Inference;
using Microsoft.ML.OnnxRuntime;

namespace FastStyle.Bench;

/// <summary>
/// Quick ORT timing probe (Stopwatch, median of N after warm-up) of the exported default network.
/// Usage: ort [sizes=256,512] [reps=5] [variants=s0,s1,s1f,s1fw (intra-op spinning off/on, f: spinning stops when a run ends, w: Winograd rewrite as Stylizer.Load does; timed interleaved)] [threads=N]
///            [profile=1] [idle=1 (CPU used in the second after a run)] [optimized=PATH] [save=PATH] [level=all|ext|basic|none] [cfg:KEY=VALUE ...]
/// Profiles (SessionOptions.EnableProfiling) are written to the working directory.
/// Compare spinning variants one per process: interleaved, a session whose threads spin on after its run
/// (s1) slows the run of the next session and flatters itself.
/// </summary>
static class OrtProbe
{
    public static void Run(string[] args)
    {
        var kv = ProbeArguments.Parse(args);
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
        string[] variants = (kv.GetValueOrDefault("variants") ?? "s0").Split(',');
        var sessions = new List<(string Name, InferenceSession Session, SessionOptions Options)>();
        foreach (string variant in variants)
        {
            byte[] model = TransformerOnnxExporter.Export(arch, weights, new FastStyle.Inference.ModelMetadata("bench", "0", 0, "0", arch));
            if (variant.Contains('w'))
            {
                // The graph Stylizer.Load builds on AVX2 CPUs: 3x3 convolutions as Winograd F(4x4,3x3).
                var proto = FastStyle.Inference.Onnx.ModelProto.Parser.ParseFrom(model);
                FastStyle.Inference.Onnx.WinogradRewrite.Apply(proto.Graph);
                model = Google.Protobuf.MessageExtensions.ToByteArray(proto);
            }
            if (kv.TryGetValue("save", out var savePath)) File.WriteAllBytes(savePath + variant + ".onnx", model);
            var so = new SessionOptions
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
            so.AddSessionConfigEntry("session.intra_op.allow_spinning", variant.Contains("s1") ? "1" : kv.GetValueOrDefault("spin") ?? "0");
            if (variant.Contains('f')) so.AddSessionConfigEntry("session.force_spinning_stop", "1");
            foreach (var (k, v) in kv.Where(p => p.Key.StartsWith("cfg:")))
                so.AddSessionConfigEntry(k[4..], v);
            if (kv.TryGetValue("optimized", out var opt)) so.OptimizedModelFilePath = opt + variant + ".onnx";
            if (kv.TryGetValue("profile", out var prof)) { so.EnableProfiling = true; so.ProfileOutputPathPrefix = prof + variant; }
            sessions.Add((variant, new InferenceSession(model, so), so));
        }

        foreach (int size in sizes)
        {
            var img = new float[3 * size * size];
            for (int i = 0; i < img.Length; i++) img[i] = (float)rng.NextDouble();
            long[] shape = [1, 3, size, size];
            var outputs = sessions.Select(_ => new float[img.Length]).ToArray();
            double Once(int v)
            {
                var sw = Stopwatch.StartNew();
                using var input = OrtValue.CreateTensorValueFromMemory(img, shape);
                using var output = OrtValue.CreateTensorValueFromMemory(outputs[v], shape);
                using var ro = new RunOptions();
                sessions[v].Session.Run(ro, ["input"], [input], ["output"], [output]);
                return sw.Elapsed.TotalMilliseconds;
            }
            for (int v = 0; v < sessions.Count; v++) { Once(v); Once(v); }
            var times = sessions.Select(_ => new List<double>()).ToArray();
            for (int r = 0; r < reps; r++)
                for (int v = 0; v < sessions.Count; v++) times[v].Add(Once(v));
            if (kv.ContainsKey("idle"))
                for (int v = 0; v < sessions.Count; v++)
                {
                    // CPU the process burns in the second after a run: what spinning intra-op threads cost an idle caller.
                    Once(v);
                    var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
                    Thread.Sleep(1000);
                    var used = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu;
                    Console.WriteLine($"{size} {sessions[v].Name}: CPU in the idle second after a run: {used.TotalMilliseconds:F0} ms");
                }
            for (int v = 0; v < sessions.Count; v++)
            {
                var t = times[v].OrderBy(x => x).ToArray();
                double diff = outputs[v].Zip(outputs[0], (a, b) => Math.Abs(a - b)).Max();
                Console.WriteLine($"{size} {sessions[v].Name}: median {t[reps / 2]:F1} ms  min {t[0]:F1}  max {t[^1]:F1}  maxdiff vs first {diff:E1}");
            }
        }
        foreach (var (_, session, so) in sessions)
        {
            if (so.EnableProfiling) Console.WriteLine("profile: " + session.EndProfiling());
            session.Dispose();
            so.Dispose();
        }
    }
}
