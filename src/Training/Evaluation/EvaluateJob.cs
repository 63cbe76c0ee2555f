using FastStyle.Data;
using FastStyle.Training.Losses;
using FastStyle.Training.Reporting;

namespace FastStyle.Training.Evaluation;

/// <summary>Everything `faststyle evaluate` needs; the CLI only fills this in.</summary>
public sealed record EvaluateRequest
{
    /// <summary>Default of <see cref="Size"/> (the CLI's --size reads it too).</summary>
    public const int DefaultSize = 512;

    public required string StylePath { get; init; }
    /// <summary>Content i is the reference for stylised image i.</summary>
    public required IReadOnlyList<string> ContentPaths { get; init; }
    public required IReadOnlyList<string> StylizedPaths { get; init; }
    public required string VggPath { get; init; }
    /// <summary>Longest side of the content image; the stylised image is matched to the content.</summary>
    public int Size { get; init; } = DefaultSize;
    /// <summary>Longest side of the style image; null: <see cref="Size"/>. Set it to a training config's style_size to score on the Gram targets the network was trained against.</summary>
    public int? StyleSize { get; init; }
    public LossConfig Loss { get; init; } = LossConfig.GatysDefaults;
    /// <summary>Where <see cref="Loss"/> came from (a file path, or <see cref="LossConfigFile.GatysDefaultsSource"/>), for the report.</summary>
    public string LossSource { get; init; } = LossConfigFile.GatysDefaultsSource;
    public string? JsonPath { get; init; }
    /// <summary>Allow <see cref="JsonPath"/> to be one of the input files (replacing it).</summary>
    public bool Overwrite { get; init; }
}

/// <summary>Losses of one stylised image against its content and the style, at <see cref="Width"/> x <see cref="Height"/>.</summary>
public sealed record ImageEvaluation(string ContentPath, string StylizedPath, int Width, int Height, LossValues Loss);

public sealed record EvaluateResult(EvaluateRequest Request, IReadOnlyList<ImageEvaluation> Images, EvaluateSummary Summary, string VggSha256, bool Complete);

/// <summary>
/// `faststyle evaluate` as a library call: the objective of optimize/train, measured on any images
/// (a network's outputs, Gatys results, other tools' outputs), so methods are compared on the number
/// they all try to minimise rather than by eye.
/// </summary>
public static class EvaluateJob
{
    public static void Validate(EvaluateRequest request)
    {
        if (request.ContentPaths.Count == 0) throw new FastStyleError("evaluate: no --content images given");
        if (request.ContentPaths.Count != request.StylizedPaths.Count)
            throw new FastStyleError($"evaluate: {request.ContentPaths.Count} --content image(s) but {request.StylizedPaths.Count} --stylized image(s); " +
                                     "stylized image i is scored against content image i, so the counts must match");
        if (request.Size < 1) throw new FastStyleError($"evaluate: --size must be at least 1 (got {request.Size})");
        if (request.StyleSize is < 1) throw new FastStyleError($"evaluate: --style-size must be at least 1 (got {request.StyleSize})");
        if (request.JsonPath is { } json)
        {
            if (Directory.Exists(json)) throw new FastStyleError($"output '{json}': is a folder, expected a .json file path");
            OutputGuard.RefuseInputs([json], [request.StylePath, request.VggPath, .. request.ContentPaths, .. request.StylizedPaths], request.Overwrite);
            AtomicFile.CheckWritable(json);
        }
    }

    public static EvaluateResult Run(EvaluateRequest request, Action<int, ImageEvaluation>? onImage = null, CancellationToken cancel = default)
    {
        Validate(request);
        var style = request.Loss.RequireFits(EvaluationImages.LoadStyle(request.StylePath, request.StyleSize ?? request.Size), request.StylePath);
        var loss = PerceptualLoss.Load(request.VggPath, request.Loss);
        string vggSha = FileHash.Sha256OfFile(request.VggPath);
        var images = new List<ImageEvaluation>();
        using (var evaluator = new ImageLossEvaluator(loss, style))
            for (int i = 0; i < request.ContentPaths.Count && !cancel.IsCancellationRequested; i++)
            {
                var content = request.Loss.RequireFits(EvaluationImages.LoadContent(request.ContentPaths[i], request.Size), request.ContentPaths[i]);
                var stylized = EvaluationImages.LoadMatching(request.StylizedPaths[i], content);
                var evaluation = new ImageEvaluation(request.ContentPaths[i], request.StylizedPaths[i], content.Width, content.Height,
                    evaluator.Evaluate(stylized, content));
                images.Add(evaluation);
                onImage?.Invoke(i + 1, evaluation);
            }
        var result = new EvaluateResult(request, images, EvaluateSummary.Of(images.Select(i => i.Loss).ToList(), request.Loss), vggSha,
            Complete: images.Count == request.ContentPaths.Count);
        if (request.JsonPath != null) ReportJson.WriteAtomically(request.JsonPath, EvaluateReportJson.Build(result));
        return result;
    }
}
