using System.Diagnostics;
using FastStyle.Data.Imaging;
using FastStyle.Training.Losses;
using FastStyle.Training.Optimization;

namespace FastStyle.Training.Evaluation;

/// <summary>Result of one Gatys run in `compare`: its per-iteration history and the checkpoint images.</summary>
/// <param name="History">Losses at iterations 0..N; seconds exclude checkpoint writing (see <see cref="GatysCheckpointRun"/>).</param>
/// <param name="Checkpoints">Iteration -> image (clipped to [0,1]), for the checkpoints the run reached.</param>
internal sealed record GatysRun(IReadOnlyList<IterationLoss> History, IReadOnlyDictionary<int, RgbImage> Checkpoints, double Seconds, bool Interrupted);

/// <summary>
/// Runs <see cref="GatysOptimizer"/> (L-BFGS from seeded noise, Johnson et al. 2016's comparison, or
/// from the content image) and hands each checkpoint image to <c>save</c> as soon as it
/// exists, so an interrupted compare keeps it. Time spent inside <c>save</c> (PNG encoding, disk)
/// is subtracted from the recorded wall times: it is reporting overhead, not optimisation, and
/// would otherwise inflate the Gatys side of the speed ratio.
/// </summary>
internal static class GatysCheckpointRun
{
    public static OptimizeOptions Options(IReadOnlyList<int> checkpoints, InitialImage init, int seed) => new()
    {
        Iterations = checkpoints.Max(),
        Optimizer = PixelOptimizer.Lbfgs,
        Init = init,
        Seed = seed,
        SnapshotEvery = CheckpointList.SnapshotInterval(checkpoints),
    };

    public static GatysRun Run(PerceptualLoss loss, RgbImage content, RgbImage style, IReadOnlyList<int> checkpoints, InitialImage init, int seed,
        Action<int, RgbImage> save, Action<IterationLoss>? onIteration = null, CancellationToken cancel = default)
    {
        var options = Options(checkpoints, init, seed);
        var wanted = checkpoints.ToHashSet();
        var images = new Dictionary<int, RgbImage>();
        var history = new List<IterationLoss>(options.Iterations + 1);
        double excluded = 0;

        void Keep(int iteration, RgbImage image)
        {
            if (!wanted.Contains(iteration)) return;
            var clock = Stopwatch.StartNew();
            images[iteration] = image;
            save(iteration, image);
            excluded += clock.Elapsed.TotalSeconds;
        }

        // The optimiser calls the snapshot for iteration k before it records iteration k, so
        // `excluded` already holds that snapshot's time when entry k is adjusted.
        var result = new GatysOptimizer(loss).Run(content, style, options,
            entry =>
            {
                var adjusted = entry with { Seconds = entry.Seconds - excluded };
                history.Add(adjusted);
                onIteration?.Invoke(adjusted);
            },
            Keep, cancel);

        double seconds = result.Seconds - excluded;
        int reached = result.History[^1].Iteration;
        bool interrupted = reached < options.Iterations;
        // The optimiser returns its last image instead of snapshotting it (after its clock stopped).
        if (!interrupted) Keep(reached, result.Image);
        return new GatysRun(history, images, seconds, interrupted);
    }
}
