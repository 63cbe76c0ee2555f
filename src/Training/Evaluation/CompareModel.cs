using FastStyle.Inference;
using FastStyle.Training.Losses;
using FastStyle.Training.Optimization;

namespace FastStyle.Training.Evaluation;

/// <summary>Everything `faststyle compare` needs; the CLI only fills this in.</summary>
public sealed record CompareRequest
{
    // The defaults, defined once: the initialisers below and the CLI's options and --help read these.
    public const int DefaultSize = 256;
    public const InitialImage DefaultInit = InitialImage.Noise;
    public const int DefaultSeed = 0;

    public required string ModelPath { get; init; }
    public required string StylePath { get; init; }
    public required IReadOnlyList<string> ContentPaths { get; init; }
    public required string VggPath { get; init; }
    public required string OutputDirectory { get; init; }
    /// <summary>Gatys checkpoint iterations (sorted, distinct); the run goes to the largest.</summary>
    public IReadOnlyList<int> Iterations { get; init; } = CheckpointList.Default;
    /// <summary>Longest side of content, network output and Gatys image.</summary>
    public int Size { get; init; } = DefaultSize;
    /// <summary>
    /// Longest side of the style image; null: <see cref="Size"/>. Gram targets depend on the style's
    /// scale, so passing the training config's style_size scores on the targets the network was trained on.
    /// </summary>
    public int? StyleSize { get; init; }
    /// <summary>
    /// The objective both methods are scored on and Gatys minimises. The fair choice is the
    /// network's own training objective (pass its training config as --loss); the Gatys default
    /// favours Gatys, which optimises it directly while the network never saw it.
    /// </summary>
    public LossConfig Loss { get; init; } = LossConfig.GatysDefaults;
    public string LossSource { get; init; } = LossConfigFile.GatysDefaultsSource;
    /// <summary>
    /// Where Gatys starts. Noise (seeded) is Johnson et al.'s protocol (2016, Fig. 5); the content
    /// image is a much stronger start, so its equivalent iterations are lower for the same network.
    /// </summary>
    public InitialImage Init { get; init; } = DefaultInit;
    /// <summary>Seed of the noise start.</summary>
    public int Seed { get; init; } = DefaultSeed;
    public int NetworkTimedRuns { get; init; } = NetworkTiming.DefaultTimedRuns;
    /// <summary>Multi-style models: the style or mix the network runs with (<see cref="ModelStyleChoice"/>); null: the one trained on the style image.</summary>
    public string? ModelStyle { get; init; }
    /// <summary>An earlier compare's output folder whose Gatys runs are reused where every input matches (<see cref="EarlierGatysRuns"/>); null: optimise every image.</summary>
    public string? ReuseGatysFrom { get; init; }
}

/// <summary>What is fixed for a whole compare run: inputs, their hashes, versions.</summary>
public sealed record CompareSetup(
    CompareRequest Request,
    ModelMetadata Model,
    string ModelSha256,
    string StyleSha256,
    int StyleWidth,
    int StyleHeight,
    string VggSha256,
    string LossText,
    string LossSha256,
    DateTimeOffset Started,
    ModelStyleChoice ModelStyle)
{
    /// <summary>The model records the hash of each style image it was trained on; a mismatch means the comparison uses another style.</summary>
    public bool StyleMatchesModel => ModelStyle.TrainedOnStyleImage;
}

/// <summary>The network's result on one content image.</summary>
/// <param name="Image">Path relative to the output folder.</param>
public sealed record NetworkResult(string Image, double Seconds, IReadOnlyList<double> RunSeconds, double WarmupSeconds, LossValues Loss);

/// <summary>A saved Gatys image: its loss (same evaluation as the network's: clipped pixels) and the optimiser's time to reach it.</summary>
/// <param name="OptimizerTotal">The optimiser's own loss at this iteration (before clipping to [0,1]).</param>
/// <param name="Image">Relative path; null when reused from an earlier compare that kept no image (<see cref="EarlierGatysRuns"/>).</param>
public sealed record CheckpointResult(int Iteration, double Seconds, string? Image, LossValues Loss, double OptimizerTotal);

/// <summary>Network versus Gatys on one content image.</summary>
public sealed record ImageComparison(
    int Index,
    string ContentPath,
    string ContentImage,
    int Width,
    int Height,
    NetworkResult Network,
    IReadOnlyList<CheckpointResult> Checkpoints,
    IReadOnlyList<IterationLoss> History,
    double GatysSeconds,
    Equivalence Equivalence,
    bool Interrupted,
    LossValues ContentPhoto,
    string ContentSha256,
    string? GatysReusedFrom)
{
    public string Name => Path.GetFileName(ContentPath);

    /// <summary>
    /// Style loss of the network's output over that of the unchanged photo: how much of the style gap
    /// the network closed (1 = none, 0 = all). Small only if the output really carries the style.
    /// </summary>
    public double NetworkStyleFraction => Network.Loss.Style / ContentPhoto.Style;
}

/// <summary>Means over the images where Gatys reached the network's loss within the run.</summary>
public sealed record CompareSummary(int Images, int Reached, MeanStd EquivalentIterations, MeanStd SpeedRatio, MeanStd NetworkSeconds,
    MeanStd NetworkStyleFraction)
{
    public static CompareSummary Of(IReadOnlyList<ImageComparison> images)
    {
        var reached = images.Where(i => i.Equivalence.Iterations != null).ToList();
        return new CompareSummary(images.Count, reached.Count,
            MeanStd.Of(reached.Select(i => (double)i.Equivalence.Iterations!.Value).ToList()),
            MeanStd.Of(reached.Where(i => i.Equivalence.SpeedRatio != null).Select(i => i.Equivalence.SpeedRatio!.Value).ToList()),
            MeanStd.Of(images.Select(i => i.Network.Seconds).ToList()),
            MeanStd.Of(images.Select(i => i.NetworkStyleFraction).ToList()));
    }

    public string Describe()
    {
        if (Images == 0) return "no images compared";
        if (Reached == 0) return $"Gatys did not reach the network's loss on any of {Images} image(s) within the run";
        return $"Gatys reached the network's loss on {Reached} of {Images} image(s): mean equivalent iterations {EquivalentIterations.Format("F1")}, " +
               $"mean speed ratio {SpeedRatio.Format("G3")}x (network {NetworkSeconds.Format("G3")} s per image); " +
               $"network style loss {NetworkStyleFraction.Format("P1")} of the content photo's";
    }
}

/// <summary>The whole comparison so far; <see cref="Complete"/> is false while running or after an interruption.</summary>
public sealed record CompareReport(CompareSetup Setup, IReadOnlyList<ImageComparison> Images, bool Complete)
{
    public CompareSummary Summary => CompareSummary.Of(Images);
}
