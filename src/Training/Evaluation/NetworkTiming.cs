using System.Diagnostics;
using FastStyle.Data.Imaging;
using FastStyle.Inference;

namespace FastStyle.Training.Evaluation;

/// <summary>A network's output and how long one forward pass took.</summary>
/// <param name="Seconds">Median of <paramref name="RunSeconds"/>.</param>
internal sealed record NetworkRun(RgbImage Image, double Seconds, IReadOnlyList<double> RunSeconds, double WarmupSeconds);

/// <summary>
/// Times the feed-forward network on one image. The first ONNX Runtime call on a new input shape
/// grows its memory arena and sets up kernel state, a one-off cost, so one untimed warm-up runs
/// first; the reported time is the median of several timed calls, robust to a stray scheduler
/// hiccup on a busy machine. Model loading is excluded, as VGG loading and target
/// computation are excluded from the Gatys times.
/// </summary>
internal static class NetworkTiming
{
    public const int DefaultTimedRuns = 3;

    public static NetworkRun Run(Stylizer stylizer, RgbImage content, StyleSettings settings, int timedRuns = DefaultTimedRuns)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timedRuns, 1);
        var clock = Stopwatch.StartNew();
        var output = stylizer.Stylize(content, settings);
        double warmup = clock.Elapsed.TotalSeconds;
        var runs = new double[timedRuns];
        for (int i = 0; i < timedRuns; i++)
        {
            clock.Restart();
            output = stylizer.Stylize(content, settings);
            runs[i] = clock.Elapsed.TotalSeconds;
        }
        var sorted = runs.Order().ToArray();
        double median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        return new NetworkRun(output, median, runs, warmup);
    }
}
