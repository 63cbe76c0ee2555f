using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using FastStyle.Bench;
using FastStyle.Training.Runs;

// Usage:
//   dotnet run -c Release --project bench/FastStyle.Bench -- inference
//   dotnet run -c Release --project bench/FastStyle.Bench -- train VGG DATASET STYLE BATCH SIZE fp32|bf16 [STEPS]
//   dotnet run -c Release --project bench/FastStyle.Bench -- json train|infer|gatys --size N ...   (one JSON line, the
//       PyTorch peer's fields; see PeerBenchmark and scripts/bench-vs-peer.sh)
switch (args.FirstOrDefault())
{
    case "inference":
        // In-process: the native libraries (libtorch with its load fix, ORT) are already next to this assembly.
        var config = ManualConfig.Create(DefaultConfig.Instance)
            .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(1).WithIterationCount(3));
        var summary = BenchmarkRunner.Run<InferenceBenchmarks>(config, args.Skip(1).ToArray());
        foreach (var report in summary.Reports.Where(r => r.ResultStatistics != null))
        {
            int size = (int)report.BenchmarkCase.Parameters["Size"];
            double seconds = report.ResultStatistics!.Mean / 1e9;
            double gflop = TransformerFlops.Count(new FastStyle.Inference.TransformerArchitecture(), size, size) / 1e9;
            Console.WriteLine($"{report.BenchmarkCase.Descriptor.WorkloadMethod.Name,-12} {size,5} px: {seconds * 1000,8:F1} ms, {gflop:F1} GFLOP -> {gflop / seconds:F1} GFLOP/s");
        }
        return 0;
    case "json":
        return PeerBenchmark.Run(args.Skip(1).ToArray());
    case "ort":
        OrtProbe.Run(args.Skip(1).ToArray());
        return 0;
    case "winograd":
        WinogradProbe.Run(args.Skip(1).ToArray());
        return 0;
    case "gatysparts":
        GatysPartsProbe.Run(args.Skip(1).ToArray());
        return 0;
    case "layout":
        LayoutProbe.Run(args.Skip(1).ToArray());
        return 0;
    case "train" when args.Length >= 7:
        TrainingStepBenchmark.Run(args[1], args[2], args[3], int.Parse(args[4]), int.Parse(args[5]),
            FastStyle.Inference.EnumText<Precision>.Parse(args[6]) ?? Precision.Float32, args.Length > 7 ? int.Parse(args[7]) : 8);
        return 0;
    default:
        Console.Error.WriteLine("usage: inference | json train|infer|gatys --size N ... | train VGG DATASET STYLE BATCH SIZE fp32|bf16 [STEPS]");
        return 2;
}
