using System.Text.Json;
using System.Text.Json.Nodes;
using FastStyle.Data;
using FastStyle.Data.Imaging;
using FastStyle.Training.LossNetwork;
using FastStyle.Training.Losses;
using FastStyle.Training.Reporting;
using FastStyle.Training.Runs;

namespace FastStyle.Training.Optimization;

/// <summary>Everything `faststyle optimize` needs; the CLI only fills this in.</summary>
public sealed record OptimizeRequest
{
    // The defaults, defined once: the initialisers below and the CLI's options and --help read these.
    public const int DefaultSize = 512;
    public const PrecisionSetting DefaultPrecision = PrecisionSetting.Auto;

    public required string ContentPath { get; init; }
    public required string StylePath { get; init; }
    public required string OutputPath { get; init; }
    public required string VggPath { get; init; }
    /// <summary>Longest side of the content (and output) image; null keeps the original size.</summary>
    public int? Size { get; init; } = DefaultSize;
    /// <summary>Longest side of the style image; null: same as <see cref="Size"/>.</summary>
    public int? StyleSize { get; init; }
    public LossConfig Loss { get; init; } = LossConfig.GatysDefaults;
    public OptimizeOptions Options { get; init; } = new();
    public string? MetricsPath { get; init; }
    /// <summary>
    /// Loss network compute type. bfloat16 (activations back in float32 for Grams and MSEs) is about
    /// 2x faster on CPUs with AVX512-BF16, losses within 1% of float32 (issue 2); auto uses it only there.
    /// </summary>
    public PrecisionSetting Precision { get; init; } = DefaultPrecision;
    /// <summary>Allow <see cref="OutputPath"/> or <see cref="MetricsPath"/> to be one of the inputs (replacing it).</summary>
    public bool Overwrite { get; init; }
}

/// <summary>Loads the images, runs <see cref="GatysOptimizer"/>, writes the image, snapshots and metrics.</summary>
public static class OptimizeJob
{
    public static OptimizeResult Run(OptimizeRequest request, Action<IterationLoss>? onIteration = null, CancellationToken cancel = default)
    {
        if (request.Options.Iterations < 1) throw new FastStyleError($"--iterations must be at least 1 (got {request.Options.Iterations})");
        CheckOutputExtension(request.OutputPath);
        string?[] outputs = [request.OutputPath, request.MetricsPath];
        OutputGuard.RefuseInputs(outputs, [request.ContentPath, request.StylePath, request.VggPath], request.Overwrite);
        if (request.MetricsPath != null && OutputGuard.Same(request.MetricsPath, request.OutputPath))
            throw new FastStyleError($"--metrics '{request.MetricsPath}' is the output image path; give them different names");
        foreach (var output in outputs.OfType<string>()) AtomicFile.CheckWritable(output);
        var content = request.Loss.RequireFits(ImageFile.Load(request.ContentPath, new ImageLoadOptions { LongestSide = request.Size }), request.ContentPath);
        var style = request.Loss.RequireFits(ImageFile.Load(request.StylePath, new ImageLoadOptions { LongestSide = request.StyleSize ?? request.Size }), request.StylePath);
        var loss = PerceptualLoss.Load(request.VggPath, request.Loss);
        var precision = PrecisionPolicy.Decide(request.Precision);
        loss.Network.UseComputeType(precision.ComputeType);
        // A non-finite loss makes every later iteration meaningless: stop at once, and write nothing
        // (no JSON with NaN, no "result" that is really the untouched content image).
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        IterationLoss? firstNonFinite = null;
        var result = new GatysOptimizer(loss).Run(content, style, request.Options, it =>
            {
                if (!double.IsFinite(it.Loss.Total))
                {
                    firstNonFinite ??= it;
                    stop.Cancel();
                    return;
                }
                onIteration?.Invoke(it);
            },
            (iteration, image) => ImageFile.Save(image, SnapshotPath(request.OutputPath, iteration)), stop.Token);
        if (firstNonFinite is { } bad)
            throw new FastStyleError(NonFiniteLoss.Describe(bad.Loss, $"iteration {bad.Iteration}") + "; nothing written. Lower style_weight/content_weight in the --loss file");
        ImageFile.Save(result.Image, request.OutputPath);
        if (request.MetricsPath != null)
            AtomicFile.WriteAllText(request.MetricsPath, Metrics(request, precision, loss.Network.ConvolutionSummary, content, result, loss.Network.FeatureScales).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return result;
    }

    /// <summary>out.png, iteration 100 -> out.iter0100.png</summary>
    public static string SnapshotPath(string output, int iteration)
        => Path.Combine(Path.GetDirectoryName(output) ?? "", $"{Path.GetFileNameWithoutExtension(output)}.iter{iteration:D4}{Path.GetExtension(output)}");

    static void CheckOutputExtension(string path)
    {
        string ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext is not (".png" or ".jpg" or ".jpeg" or ".webp"))
            throw new FastStyleError($"output '{path}': unsupported extension '{ext}' (use .png, .jpg or .webp)");
    }

    static JsonObject Metrics(OptimizeRequest request, PrecisionDecision precision, string convolutions, RgbImage content, OptimizeResult result, IReadOnlyDictionary<string, float>? featureScales)
    {
        var history = new JsonArray();
        foreach (var h in result.History)
            history.Add(new JsonObject
            {
                ["iteration"] = h.Iteration,
                ["seconds"] = h.Seconds,
                ["total"] = h.Loss.Total,
                ["content"] = h.Loss.Content,
                ["style"] = h.Loss.Style,
                ["tv"] = h.Loss.TotalVariation,
            });
        int iterations = result.History.Count - 1;
        var json = new JsonObject
        {
            ["content"] = request.ContentPath,
            ["style"] = request.StylePath,
            ["output"] = request.OutputPath,
            ["width"] = content.Width,
            ["height"] = content.Height,
            ["optimizer"] = request.Options.Optimizer.ToString().ToLowerInvariant(),
            ["precision"] = precision.Name,
            ["precision_reason"] = precision.Reason,
            ["loss_convolutions"] = convolutions,
            ["init"] = request.Options.Init.ToString().ToLowerInvariant(),
            ["seed"] = request.Options.Seed,
            ["vgg"] = request.VggPath,
            ["loss_config"] = request.Loss.Describe(),
            ["iterations"] = iterations,
            ["seconds"] = result.Seconds,
            ["seconds_per_iteration"] = iterations > 0 ? result.Seconds / iterations : 0,
            ["style_loss_initial"] = result.Initial.Style,
            ["content_loss_initial"] = result.Initial.Content,
            ["total_loss_initial"] = result.Initial.Total,
            ["style_loss_final"] = result.Final.Style,
            ["content_loss_final"] = result.Final.Content,
            ["tv_loss_final"] = result.Final.TotalVariation,
            ["total_loss_final"] = result.Final.Total,
            ["style_layers_final"] = ToJson(result.Final.StyleByLayer),
            ["content_layers_final"] = ToJson(result.Final.ContentByLayer),
            ["history"] = history,
        };
        // What vgg_scale: auto found, so a run's numbers can be traced to the factors that shaped them.
        if (request.Loss.VggScale == VggScale.Auto) json["vgg_scale"] = ActivationScale.Describe(featureScales);
        return json;
    }

    static JsonObject ToJson(IReadOnlyDictionary<string, double> values)
    {
        var o = new JsonObject();
        foreach (var (k, v) in values) o[k] = v;
        return o;
    }
}
