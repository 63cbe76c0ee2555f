namespace FastStyle.Training.Runs;

/// <summary>
/// Keeps one bad batch from wrecking hours of training. A constant-rate run of the shipped recipe
/// diverged at step ~7585 (style loss 7.5e5 to 9.8e6 within a few steps, issue 11): Adam took a
/// huge step on an outlier batch and never recovered. The guard follows a moving average of the
/// loss and refuses the update of any batch whose loss is far above it; if the average itself
/// drifts far above its value at the last checkpoint, the trainer rolls back to that checkpoint.
/// </summary>
public sealed class LossSpikeGuard(double skipFactor = LossSpikeGuard.DefaultSkipFactor, double rollbackFactor = LossSpikeGuard.DefaultRollbackFactor,
    int warmupSteps = LossSpikeGuard.DefaultWarmupSteps)
{
    /// <summary>A batch this many times the moving average is not learned from.</summary>
    public const double DefaultSkipFactor = 4.0;
    /// <summary>A moving average this many times its value at the last checkpoint means the run has diverged.</summary>
    public const double DefaultRollbackFactor = 2.5;
    /// <summary>Steps of history before the guard judges: early losses fall by orders of magnitude.</summary>
    public const int DefaultWarmupSteps = 50;
    const double Smoothing = 0.95;

    double average = double.NaN;
    double averageAtCheckpoint = double.NaN;
    int seen;

    public double Average => average;
    public double SkipFactor => skipFactor;

    /// <summary>Whether to learn from a batch with this loss (the loss enters the average only if so).</summary>
    public bool Accept(double loss)
    {
        if (seen >= warmupSteps && loss > skipFactor * average) return false;
        average = seen == 0 ? loss : Smoothing * average + (1 - Smoothing) * loss;
        seen++;
        return true;
    }

    /// <summary>True when the run has drifted away since the last checkpoint and should roll back to it.</summary>
    public bool Diverged => seen >= warmupSteps && double.IsFinite(averageAtCheckpoint) && average > rollbackFactor * averageAtCheckpoint;

    public void OnCheckpoint()
    {
        if (seen >= warmupSteps) averageAtCheckpoint = average;
    }

    /// <summary>After a rollback: the average returns to what it was at the checkpoint.</summary>
    public void OnRollback() => average = averageAtCheckpoint;
}
