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
    public int Iterations { get; init; } = 500;
    public PixelOptimizer Optimizer { get; init; } = PixelOptimizer.Lbfgs;
    public InitialImage Init { get; init; } = InitialImage.Content;
    public int Seed { get; init; }
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
/// iteration is one loss+gradient evaluation (L-BFGS without line search, as in jcjohnson/neural-style),
/// and the pixels are clipped to [0,1] at the end (Adam: after each step).
/// </summary>
public sealed class GatysOptimizer
{
    readonly PerceptualLoss loss;

    public GatysOptimizer(PerceptualLoss loss) => this.loss = loss;

    public OptimizeResult Run(RgbImage content, RgbImage style, OptimizeOptions options,
        Action<IterationLoss>? onIteration = null, Action<int, RgbImage>? onSnapshot = null, CancellationToken cancel = default)
    {
        using var outer = torch.NewDisposeScope();
        var contentTensor = ImageTensors.ToTensor(content);
        using var targets = loss.Targets(ImageTensors.ToTensor(style), contentTensor);
        var pixels = new TorchSharp.Modules.Parameter(InitialPixels(content, options), requires_grad: true);
        var optimizer = CreateOptimizer(pixels, options);

        var history = new List<IterationLoss>(options.Iterations + 1);
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < options.Iterations && !cancel.IsCancellationRequested; i++)
        {
            using var scope = torch.NewDisposeScope();
            LossValues? values = null;
            optimizer.step(() =>
            {
                optimizer.zero_grad();
                var terms = loss.Compute(pixels, targets.StyleGrams, targets.ContentFeatures);
                terms.Total.backward();
                values ??= terms.ToValues();
                return terms.Total;
            });
            // Clipping inside L-BFGS breaks its curvature pairs (s, y) and made it diverge here;
            // like jcjohnson/neural-style it runs unconstrained and the result is clipped at the end.
            if (options.Optimizer == PixelOptimizer.Adam)
                using (torch.no_grad()) pixels.clamp_(0, 1);
            Record(i, values!);
            if (options.SnapshotEvery > 0 && (i + 1) % options.SnapshotEvery == 0 && i + 1 < options.Iterations)
                onSnapshot?.Invoke(i + 1, ImageTensors.ToImage(pixels.detach().clamp(0, 1)));
        }
        // The loop recorded the loss *before* each update; evaluate the final image too.
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

    static optim.Optimizer CreateOptimizer(TorchSharp.Modules.Parameter pixels, OptimizeOptions options) => options.Optimizer switch
    {
        PixelOptimizer.Lbfgs => optim.LBFGS([pixels], lr: 1, max_iter: 1, history_size: options.LbfgsHistory,
            tolerange_grad: 0, tolerance_change: 0),
        _ => optim.Adam([pixels], lr: options.AdamLearningRate),
    };
}
