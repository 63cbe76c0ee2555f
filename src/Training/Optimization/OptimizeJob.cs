using System.Text.Json;
using System.Text.Json.Nodes;
using FastStyle.Data;
using FastStyle.Data.Imaging;
using FastStyle.Training.Losses;
using FastStyle.Training.Reporting;

namespace FastStyle.Training.Optimization;

/// <summary>Everything `faststyle optimize` needs; the CLI only fills this in.</summary>
public sealed record OptimizeRequest
{
    public required string ContentPath { get; init; }
    public required string StylePath { get; init; }
    public required string OutputPath { get; init; }
    public required string VggPath { get; init; }
    /// <summary>Longest side of the content (and output) image; null keeps the original size.</summary>
    public int? Size { get; init; } = 512;
    /// <summary>Longest side of the style image; null: same as <see cref="Size"/>.</summary>
    public int? StyleSize { get; init; }
    public LossConfig Loss { get; init; } = LossConfig.GatysDefaults;
    public OptimizeOptions Options { get; init; } = new();
    public string? MetricsPath { get; init; }
    /// <summary>
    /// bfloat16 loss network (activations back in float32 for Grams and MSEs): about 2x faster on
    /// CPUs with AVX512-BF16, losses within 1% of float32 (issue 2).
    /// </summary>
    public bool BFloat16 { get; init; }
}

/// <summary>Loads the images, runs <see cref="GatysOptimizer"/>, writes the image, snapshots and metrics.</summary>
public static class OptimizeJob
{
    public static OptimizeResult Run(OptimizeRequest request, Action<IterationLoss>? onIteration = null, CancellationToken cancel = default)
    {
        if (request.Options.Iterations < 1) throw new FastStyleError($"--iterations must be at least 1 (got {request.Options.Iterations})");
        CheckOutputExtension(request.OutputPath);
        var content = ImageFile.Load(request.ContentPath, new ImageLoadOptions { LongestSide = request.Size });
        var style = ImageFile.Load(request.StylePath, new ImageLoadOptions { LongestSide = request.StyleSize ?? request.Size });
        var loss = PerceptualLoss.Load(request.VggPath, request.Loss);
        if (request.BFloat16) loss.Network.UseComputeType(TorchSharp.torch.ScalarType.BFloat16);
        var result = new GatysOptimizer(loss).Run(content, style, request.Options, onIteration,
            (iteration, image) => ImageFile.Save(image, SnapshotPath(request.OutputPath, iteration)), cancel);
        ImageFile.Save(result.Image, request.OutputPath);
        if (request.MetricsPath != null)
            AtomicFile.WriteAllText(request.MetricsPath, Metrics(request, content, result).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
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

    static JsonObject Metrics(OptimizeRequest request, RgbImage content, OptimizeResult result)
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
        return new JsonObject
        {
            ["content"] = request.ContentPath,
            ["style"] = request.StylePath,
            ["output"] = request.OutputPath,
            ["width"] = content.Width,
            ["height"] = content.Height,
            ["optimizer"] = request.Options.Optimizer.ToString().ToLowerInvariant(),
            ["precision"] = request.BFloat16 ? "bf16" : "fp32",
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
    }

    static JsonObject ToJson(IReadOnlyDictionary<string, double> values)
    {
        var o = new JsonObject();
        foreach (var (k, v) in values) o[k] = v;
        return o;
    }
}
