using FastStyle.Data;
using FastStyle.Data.Imaging;
using FastStyle.Inference;
using FastStyle.Training.Losses;
using FastStyle.Training.Optimization;
using FastStyle.Training.Reporting;

namespace FastStyle.Training.Evaluation;

/// <summary>
/// `faststyle compare` as a library call: per content image, the feed-forward network (timed) and
/// Gatys optimisation (L-BFGS) are scored on one objective at one resolution, giving the
/// "equivalent iterations" and speed ratio of Johnson et al. (2016, sec. 4.1). Results are
/// written as each image finishes (images at once, reports rewritten), so an interrupted run keeps
/// everything completed so far.
/// </summary>
public static class CompareJob
{
    /// <param name="onProgress">(iterations done over all images, status text); the total is <see cref="TotalSteps"/>.</param>
    public static CompareReport Run(CompareRequest request, Action<int, string>? onProgress = null, Action<ImageComparison>? onImage = null,
        CancellationToken cancel = default)
    {
        Validate(request);
        // Checkpoints in order, once each, however a library caller listed them.
        request = request with { Iterations = request.Iterations.Distinct().Order().ToList() };
        string dir = request.OutputDirectory;
        Directory.CreateDirectory(dir);

        using var stylizer = Stylizer.Load(request.ModelPath, new StylizerOptions());
        string styleSha = FileHash.Sha256OfFile(request.StylePath);
        var modelStyle = ModelStyleChoice.Resolve(request.ModelStyle, stylizer.Metadata, request.ModelPath, styleSha);
        var style = request.Loss.RequireFits(EvaluationImages.LoadStyle(request.StylePath, request.StyleSize ?? request.Size), request.StylePath);
        ImageFile.Save(style, CompareOutputLayout.Full(dir, CompareOutputLayout.StyleImage));
        var loss = PerceptualLoss.Load(request.VggPath, request.Loss);
        using var evaluator = new ImageLossEvaluator(loss, style);
        string lossText = request.Loss.Describe();
        var setup = new CompareSetup(request, stylizer.Metadata, FileHash.Sha256OfFile(request.ModelPath), styleSha,
            style.Width, style.Height, FileHash.Sha256OfFile(request.VggPath), lossText, FileHash.Sha256OfText(lossText), DateTimeOffset.UtcNow, modelStyle);

        var earlier = request.ReuseGatysFrom is { } reuse ? EarlierGatysRuns.Load(reuse, setup) : null;

        int maxIterations = request.Iterations.Max();
        var done = new List<ImageComparison>();
        for (int index = 0; index < request.ContentPaths.Count && !cancel.IsCancellationRequested; index++)
        {
            int before = index * maxIterations;
            string name = Path.GetFileName(request.ContentPaths[index]);
            onProgress?.Invoke(before, $"{name}: network");
            var comparison = CompareOne(request, index, stylizer, modelStyle, loss, evaluator, style, earlier,
                it => onProgress?.Invoke(before + it.Iteration, $"{name}: Gatys total {it.Loss.Total:G4}"), cancel);
            done.Add(comparison);
            WriteReports(dir, new CompareReport(setup, done, Complete: false), style);
            onImage?.Invoke(comparison);
            if (comparison.Interrupted) break;
        }
        var report = new CompareReport(setup, done, Complete: done.Count == request.ContentPaths.Count && !done.Any(d => d.Interrupted));
        WriteReports(dir, report, style);
        return report;
    }

    public static int TotalSteps(CompareRequest request) => request.ContentPaths.Count * request.Iterations.Max();

    public static void Validate(CompareRequest request)
    {
        if (request.ContentPaths.Count == 0) throw new FastStyleError("compare: no --content images given");
        if (request.Iterations.Count == 0 || request.Iterations.Any(i => i < 1))
            throw new FastStyleError($"compare: --iterations must be positive integers (got {string.Join(",", request.Iterations)})");
        if (request.Size < Stylizer.MinImageSize)
            throw new FastStyleError($"compare: --size {request.Size} is below the network's minimum of {Stylizer.MinImageSize} pixels");
        if (request.StyleSize is < 1) throw new FastStyleError($"compare: --style-size must be at least 1 (got {request.StyleSize})");
        if (request.NetworkTimedRuns < 1) throw new FastStyleError("compare: the network must be timed at least once");
        if (request.ReuseGatysFrom is { } reuse && !Directory.Exists(reuse))
            throw new FastStyleError($"--reuse-gatys '{reuse}': no such folder; give the output folder of an earlier compare");
        if (File.Exists(request.OutputDirectory))
            throw new FastStyleError($"output '{request.OutputDirectory}': is a file, expected a folder for the report and images");
        AtomicFile.CheckWritable(Path.Combine(request.OutputDirectory, CompareOutputLayout.ReportJson));
    }

    static ImageComparison CompareOne(CompareRequest request, int index, Stylizer stylizer, ModelStyleChoice modelStyle, PerceptualLoss loss, ImageLossEvaluator evaluator,
        RgbImage style, EarlierGatysRuns? earlier, Action<IterationLoss> onIteration, CancellationToken cancel)
    {
        string dir = request.OutputDirectory, path = request.ContentPaths[index];
        string contentSha = FileHash.Sha256OfFile(path);
        var content = request.Loss.RequireFits(EvaluationImages.LoadContent(path, request.Size), path);
        string contentImage = CompareOutputLayout.ContentImage(index, path);
        ImageFile.Save(content, CompareOutputLayout.Full(dir, contentImage));

        var run = NetworkTiming.Run(stylizer, content, StyleSettings.Default with { StyleWeights = modelStyle.Weights }, request.NetworkTimedRuns);
        string networkImage = CompareOutputLayout.NetworkImage(index, path);
        ImageFile.Save(run.Image, CompareOutputLayout.Full(dir, networkImage));
        var network = new NetworkResult(networkImage, run.Seconds, run.RunSeconds, run.WarmupSeconds, evaluator.Evaluate(run.Image, content));

        string GatysImage(int iteration) => CompareOutputLayout.Full(dir, CompareOutputLayout.GatysImage(index, path, iteration));
        var gatys = earlier?.Find(contentSha, (file, iteration) => AtomicFile.WriteAllBytes(GatysImage(iteration), File.ReadAllBytes(file)))
            ?? Optimise(request, loss, evaluator, content, style, GatysImage, onIteration, cancel);
        var checkpoints = gatys.Checkpoints.Select(k => new CheckpointResult(
            k.Iteration, k.Seconds, k.HasImage ? CompareOutputLayout.GatysImage(index, path, k.Iteration) : null, k.Loss, k.OptimizerTotal)).ToList();

        return new ImageComparison(index, path, contentImage, content.Width, content.Height, network, checkpoints, gatys.History,
            gatys.Seconds, Equivalence.Find(gatys.History, network.Loss.Total, network.Seconds), gatys.Interrupted,
            evaluator.Evaluate(content, content), contentSha, gatys.ReusedFrom);
    }

    static GatysOutcome Optimise(CompareRequest request, PerceptualLoss loss, ImageLossEvaluator evaluator, RgbImage content, RgbImage style,
        Func<int, string> imageFile, Action<IterationLoss> onIteration, CancellationToken cancel)
    {
        var gatys = GatysCheckpointRun.Run(loss, content, style, request.Iterations, request.Init, request.Seed,
            (iteration, image) => ImageFile.Save(image, imageFile(iteration)), onIteration, cancel);
        // Checkpoints are scored like the network's output: the clipped image, by the same evaluator.
        var checkpoints = gatys.Checkpoints.OrderBy(kv => kv.Key).Select(kv => (
            kv.Key, gatys.History[kv.Key].Seconds, evaluator.Evaluate(kv.Value, content), gatys.History[kv.Key].Loss.Total, HasImage: true)).ToList();
        return new GatysOutcome(gatys.History, checkpoints, gatys.Seconds, gatys.Interrupted, ReusedFrom: null);
    }

    /// <summary>report.json, report.md, report.html, grid.jpg and loss.png for the images done so far.</summary>
    static void WriteReports(string dir, CompareReport report, RgbImage style)
    {
        ReportJson.WriteAtomically(CompareOutputLayout.Full(dir, CompareOutputLayout.ReportJson), CompareReportJson.Build(report));
        var content = CompareReportContent.Build(report);
        AtomicFile.WriteAllText(CompareOutputLayout.Full(dir, CompareOutputLayout.ReportMarkdown), CompareMarkdown.Render(content));
        AtomicFile.WriteAllText(CompareOutputLayout.Full(dir, CompareOutputLayout.ReportHtml), CompareHtml.Render(content));
        if (report.Images.Count == 0) return;
        CompareLossPlot.Write(CompareOutputLayout.Full(dir, CompareOutputLayout.LossPlot), report.Images);
        WriteGrid(dir, report, style);
    }

    static void WriteGrid(string dir, CompareReport report, RgbImage style)
    {
        var checkpoints = report.Setup.Request.Iterations;
        var headers = new List<string> { "content", "network" };
        headers.AddRange(checkpoints.Select(c => $"Gatys {c}"));
        headers.Add("style");
        var rows = report.Images.Select(i =>
        {
            var row = new List<RgbImage?> { Load(dir, i.ContentImage), Load(dir, i.Network.Image) };
            row.AddRange(checkpoints.Select(c => i.Checkpoints.FirstOrDefault(k => k.Iteration == c)?.Image is { } image ? Load(dir, image) : null));
            row.Add(style);
            return (IReadOnlyList<RgbImage?>)row;
        }).ToList();
        ComparisonGrid.Write(CompareOutputLayout.Full(dir, CompareOutputLayout.Grid), headers, rows);
    }

    static RgbImage Load(string dir, string relative) => ImageFile.Load(CompareOutputLayout.Full(dir, relative));
}
