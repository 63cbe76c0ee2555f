using FastStyle.Training.Losses;

namespace FastStyle.Training.Runs;

/// <summary>What one training step reports to observers (progress bar, CSV, TensorBoard).</summary>
public sealed record StepReport(long Step, long TotalSteps, double Seconds, double ImagesPerSecond, LossValues Loss, double LearningRate = double.NaN);

/// <summary>Receives events from a training run; the CLI shows them, tests record them.</summary>
public interface ITrainingObserver
{
    void OnStart(long startStep, long totalSteps) { }
    void OnPrecision(PrecisionDecision decision) { }
    /// <summary>What `vgg_scale: auto` found in the VGG file (Caffe scale, or the per-layer factors applied).</summary>
    void OnVggScale(string description) { }
    /// <summary>Which convolutions the loss network runs (<see cref="LossNetwork.VggLossNetwork.ConvolutionSummary"/>).</summary>
    void OnLossConvolutions(string summary) { }
    void OnWarmStart(string checkpoint, string styleName, long step) { }
    /// <summary>init_from a network with fewer residual blocks: the blocks added after its own, each starting as the identity.</summary>
    void OnNewResidualBlocks(IReadOnlyList<string> blocks) { }
    /// <summary>init_from a network with a different style list: the styles whose rows it had (matched by name) and the ones starting at its mean row.</summary>
    void OnStyleRows(IReadOnlyList<string> fromSource, IReadOnlyList<string> atMeanRow) { }
    /// <summary>`train: norm_only`: the styles kept frozen (from init_from) and the ones this run trains, in row order.</summary>
    void OnNormOnly(IReadOnlyList<string> frozenStyles, IReadOnlyList<string> trainedStyles, long trainedParameters) { }
    /// <summary>A multi-style run: how styles are drawn (per image or per batch) and the fraction of draws each style gets, in row order.</summary>
    void OnStyleDraws(StyleSampling sampling, IReadOnlyList<(string Name, double Fraction)> draws) { }
    void OnStep(StepReport report) { }
    void OnCheckpoint(string path, long step) { }
    void OnSamples(IReadOnlyList<string> paths, long step) { }
    void OnWarning(string message) { }
}
