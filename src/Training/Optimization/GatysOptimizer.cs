using System.Diagnostics;
using FastStyle.Data.Imaging;
using FastStyle.Training.Losses;
using FastStyle.Training.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace FastStyle.Training.Optimization;

public enum PixelOptimizer { Lbfgs, Adam }

public enum InitialImage { Content, Noise }

public sealed record OptimizeOptions
{
    // The defaults, defined once: the initialisers below and the CLI's options and --help read these.
    public const int DefaultIterations = 500;
    public const PixelOptimizer DefaultOptimizer = PixelOptimizer.Lbfgs;
    public const InitialImage DefaultInit = InitialImage.Content;
    public const int DefaultSeed = 0;

    public int Iterations { get; init; } = DefaultIterations;
    public PixelOptimizer Optimizer { get; init; } = DefaultOptimizer;
    public InitialImage Init { get; init; } = DefaultInit;
    public int Seed { get; init; } = DefaultSeed;
    /// <summary>Adam step on the [0,1] pixel scale (about 5/255); L-BFGS always uses lr 1.</summary>
    public double AdamLearningRate { get; init; } = 0.02;
    public int LbfgsHistory { get; init; } = 100;
    /// <summary>Call the snapshot callback every N iterations (0: never).</summary>
    public int SnapshotEvery { get; init; }
}

/// <summary>One iteration's losses: <see cref="Iteration"/> 0 is the initial image.</summary>
public sealed record IterationLoss(int Iteration, double Seconds, LossValues Loss);

public sealed record OptimizeResult(RgbImage Image, IReadOnlyList<IterationLoss> History, double Seconds)
{
    public LossValues Initial => History[0].Loss;
    public LossValues Final => History[^1].Loss;
}

/// <summary>
/// Per-image optimisation (Gatys, Ecker, Bethge 2016): the pixels are the parameters. One
/// iteration is one loss+gradient evaluation (as in jcjohnson/neural-style; our L-BFGS adds a
/// backtracking line search, see <see cref="LineSearchLbfgs"/>). L-BFGS is bound-constrained to the
/// valid pixel range [0,1] (projected), so its loss is the loss of a valid image at every accepted
/// point, as in Johnson et al.'s baseline; Adam clips after each step.
/// </summary>
public sealed class GatysOptimizer
{
    /// <summary>Pixels on the 0..1 scale.</summary>
    public static readonly (double Lower, double Upper) PixelBounds = (0, 1);

    readonly PerceptualLoss loss;

    public GatysOptimizer(PerceptualLoss loss) => this.loss = loss;

    public OptimizeResult Run(RgbImage content, RgbImage style, OptimizeOptions options,
        Action<IterationLoss>? onIteration = null, Action<int, RgbImage>? onSnapshot = null, CancellationToken cancel = default)
    {
        using var outer = torch.NewDisposeScope();
        var contentTensor = ImageTensors.ToTensor(content);
        using var targets = loss.Targets(ImageTensors.ToTensor(style), contentTensor);
        var pixels = new TorchSharp.Modules.Parameter(InitialPixels(content, options), requires_grad: true);
        using var lbfgs = options.Optimizer == PixelOptimizer.Lbfgs ? new LineSearchLbfgs(pixels, options.LbfgsHistory, PixelBounds) : null;
        using var adam = options.Optimizer == PixelOptimizer.Adam ? optim.Adam([pixels], lr: options.AdamLearningRate) : null;

        var history = new List<IterationLoss>(options.Iterations + 1);
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < options.Iterations && !cancel.IsCancellationRequested; i++)
        {
            using var scope = torch.NewDisposeScope();
            LossValues? values = null;
            double Evaluate()
            {
                pixels.grad?.zero_();
                var terms = loss.Compute(pixels, targets.StyleGrams, targets.ContentFeatures);
                terms.Total.backward();
                values = terms.ToValues();
                return values.Total;
            }
            if (lbfgs != null) lbfgs.Step(Evaluate);
            else
            {
                Evaluate();
                adam!.step();
                // Adam has no curvature pairs to protect: keep the pixels in range as it goes.
                using (torch.no_grad()) pixels.clamp_(0, 1);
            }
            Record(i, values!);
            if (options.SnapshotEvery > 0 && (i + 1) % options.SnapshotEvery == 0 && i + 1 < options.Iterations)
                onSnapshot?.Invoke(i + 1, ImageTensors.ToImage((lbfgs?.AcceptedPoint ?? pixels.detach()).clamp(0, 1)));
        }
        // The loop recorded the loss of each evaluated point; the result is the best accepted point (already in range for L-BFGS).
        lbfgs?.RestoreAccepted();
        using (torch.no_grad())
        using (var scope = torch.NewDisposeScope())
        {
            pixels.clamp_(0, 1);
            Record(history.Count, loss.Compute(pixels, targets.StyleGrams, targets.ContentFeatures).ToValues());
        }
        return new OptimizeResult(ImageTensors.ToImage(pixels), history, clock.Elapsed.TotalSeconds);

        void Record(int iteration, LossValues values)
        {
            var entry = new IterationLoss(iteration, clock.Elapsed.TotalSeconds, values);
            history.Add(entry);
            onIteration?.Invoke(entry);
        }
    }

    static Tensor InitialPixels(RgbImage content, OptimizeOptions options)
    {
        if (options.Init == InitialImage.Content) return ImageTensors.ToTensor(content).clone();
        // Seeded System.Random rather than torch's generator: the same noise on every build and device.
        var random = new Random(options.Seed);
        var noise = new float[content.Pixels.Length];
        for (int i = 0; i < noise.Length; i++) noise[i] = random.NextSingle();
        return ImageTensors.ToTensor(new RgbImage(content.Width, content.Height, noise));
    }
}
