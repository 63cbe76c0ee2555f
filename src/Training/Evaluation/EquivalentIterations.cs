using FastStyle.Training.Optimization;

namespace FastStyle.Training.Evaluation;

/// <summary>Where per-image optimisation catches up with a feed-forward network, and at what cost.</summary>
/// <param name="Iterations">First Gatys iteration whose total loss is at most the network's; null if none in the run.</param>
/// <param name="Seconds">Gatys wall time up to and including that iteration's loss evaluation.</param>
/// <param name="SpeedRatio">Seconds / network seconds: how many times faster the network reached that loss.</param>
public sealed record Equivalence(int? Iterations, double? Seconds, double? SpeedRatio)
{
    /// <summary>
    /// Johnson et al. (2016, sec. 4.1, quantitative results) report their network's loss as
    /// comparable to 50-100 L-BFGS iterations of Gatys et al.; this measures the same thing on our objective.
    /// Iteration 0 (the content initialisation, no optimisation done) is not counted: the answer
    /// is the number of optimiser steps needed, at least 1. History entries are the loss *at* an
    /// iteration (before its update), as <see cref="GatysOptimizer"/> records them.
    /// </summary>
    public static Equivalence Find(IReadOnlyList<IterationLoss> history, double networkTotal, double networkSeconds)
    {
        foreach (var entry in history)
        {
            if (entry.Iteration < 1 || !(entry.Loss.Total <= networkTotal)) continue;
            double? ratio = networkSeconds > 0 ? entry.Seconds / networkSeconds : null;
            return new Equivalence(entry.Iteration, entry.Seconds, ratio);
        }
        return new Equivalence(null, null, null);
    }
}
