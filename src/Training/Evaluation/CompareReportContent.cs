using System.Globalization;
using FastStyle.Training.Optimization;

namespace FastStyle.Training.Evaluation;

/// <summary>A table of display strings; renderers escape them for their format.</summary>
internal sealed record ReportTable(IReadOnlyList<string> Headers, IReadOnlyList<IReadOnlyList<string>> Rows);

/// <summary>An image row of a report: caption and relative path per cell.</summary>
internal sealed record ReportImageRow(IReadOnlyList<(string Caption, string? Path)> Cells);

/// <summary>One content image's section.</summary>
internal sealed record ReportSection(string Title, ReportTable Losses, ReportImageRow Images, string? Note);

/// <summary>
/// What report.md and report.html say, built once from a <see cref="CompareReport"/> so the two
/// formats cannot disagree; each renderer only handles its own syntax and escaping.
/// </summary>
internal sealed record CompareReportContent(
    string Title,
    string Summary,
    IReadOnlyList<string> Facts,
    ReportTable Overview,
    IReadOnlyList<ReportSection> Sections,
    string LossConfigText)
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static CompareReportContent Build(CompareReport report)
    {
        var s = report.Setup;
        var r = s.Request;
        var checkpoints = r.Iterations;
        List<string> facts =
        [
            $"Model: {r.ModelPath} (style '{s.Model.StyleName}'{(s.Model.Architecture.IsMultiStyle ? $", run with its style '{s.ModelStyle.Name}' of {s.Model.Architecture.Styles}" : "")}, {s.Model.TrainingSteps} training steps, training config sha256 {Short(s.Model.ConfigHash)}, file sha256 {Short(s.ModelSha256)})",
            $"Style image: {r.StylePath} ({s.StyleWidth}x{s.StyleHeight} as used, sha256 {Short(s.StyleSha256)}): " +
                (s.StyleMatchesModel ? "the image the model was trained on" : "NOT the image the model was trained on"),
            $"Size: longest side {r.Size} px for content, network output and Gatys image; style {r.StyleSize ?? r.Size} px",
            $"Gatys: L-BFGS (bounded to [0,1]) from {(r.Init == InitialImage.Noise ? "seeded noise" : "the content image")}, {checkpoints.Max()} iterations, checkpoints {string.Join(", ", checkpoints)}, seed {r.Seed}",
            .. ReuseFacts(report),
            $"Loss: {r.LossSource} (sha256 {Short(s.LossSha256)}); VGG: {r.VggPath} (sha256 {Short(s.VggSha256)})",
            $"Timing: network = median of {r.NetworkTimedRuns} runs after a warm-up, excluding model loading; Gatys = wall time of its iterations, " +
                "excluding VGG loading, target computation and checkpoint writing",
            $"Versions: TorchSharp {LibraryVersions.TorchSharp}, ONNX Runtime {LibraryVersions.OnnxRuntime}, {LibraryVersions.DotNet}, {Environment.ProcessorCount} processors",
            $"Run: started {s.Started.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", Inv)} UTC, {report.Images.Count} of {r.ContentPaths.Count} image(s) done" + (report.Complete ? "" : " (incomplete)"),
        ];

        var overviewHeaders = new List<string> { "#", "content", "size", "network loss", "network s" };
        overviewHeaders.AddRange(checkpoints.Select(c => $"Gatys@{c} loss"));
        overviewHeaders.AddRange(["equivalent iterations", "Gatys s to match", "speed ratio"]);
        var overviewRows = report.Images.Select(i =>
        {
            var row = new List<string> { (i.Index + 1).ToString(Inv), i.Name, $"{i.Width}x{i.Height}", Num(i.Network.Loss.Total), Sec(i.Network.Seconds) };
            row.AddRange(checkpoints.Select(c => i.Checkpoints.FirstOrDefault(k => k.Iteration == c) is { } k ? Num(k.Loss.Total) : "–"));
            row.AddRange([Opt(i.Equivalence.Iterations?.ToString(Inv)), i.Equivalence.Seconds is { } es ? Sec(es) : "–",
                i.Equivalence.SpeedRatio is { } ratio ? Ratio(ratio) : "–"]);
            return (IReadOnlyList<string>)row;
        }).ToList();

        var sections = report.Images.Select(i => Section(i, checkpoints)).ToList();
        return new CompareReportContent($"FastStyle compare: '{s.Model.StyleName}' network vs Gatys optimisation", report.Summary.Describe(),
            facts, new ReportTable(overviewHeaders, overviewRows), sections, s.LossText);
    }

    static IEnumerable<string> ReuseFacts(CompareReport report)
    {
        var reused = report.Images.Where(i => i.GatysReusedFrom != null).ToList();
        if (reused.Count == 0) return [];
        var sources = reused.Select(i => i.GatysReusedFrom!).Distinct();
        return [$"Gatys reused for {reused.Count} of {report.Images.Count} image(s) from {string.Join("; ", sources)}: same inputs, so the same optimisation; its times were measured in that run"];
    }

    static ReportSection Section(ImageComparison i, IReadOnlyList<int> checkpoints)
    {
        string[] headers = ["method", "iteration", "total", "content", "style", "tv", "seconds"];
        var rows = new List<IReadOnlyList<string>>
        {
            Row("network", "–", i.Network.Loss, i.Network.Seconds),
            Row("Gatys start", "0", i.History[0].Loss, 0),
            Row("content photo", "–", i.ContentPhoto, 0),
        };
        rows.AddRange(i.Checkpoints.Select(k => Row("Gatys", k.Iteration.ToString(Inv), k.Loss, k.Seconds)));
        var cells = new List<(string, string?)> { ("content", i.ContentImage), ("network", i.Network.Image) };
        cells.AddRange(checkpoints.Select(c => ($"Gatys {c}", i.Checkpoints.FirstOrDefault(k => k.Iteration == c)?.Image)));
        cells.Add(("style", CompareOutputLayout.StyleImage));
        string equivalence = i.Equivalence.Iterations is { } n
            ? $"Gatys matched the network's loss at iteration {n} after {Sec(i.Equivalence.Seconds!.Value)} s: the network was {Ratio(i.Equivalence.SpeedRatio ?? double.NaN)} faster."
            : $"Gatys did not reach the network's loss ({Num(i.Network.Loss.Total)}) within {i.History[^1].Iteration} iterations.";
        if (i.Interrupted) equivalence += " Interrupted: the Gatys run stopped early.";
        if (i.GatysReusedFrom != null) equivalence += $" Gatys reused from {i.GatysReusedFrom}.";
        return new ReportSection($"{i.Index + 1:D2} {i.Name}", new ReportTable(headers, rows), new ReportImageRow(cells), equivalence);
    }

    static IReadOnlyList<string> Row(string method, string iteration, Losses.LossValues l, double seconds)
        => [method, iteration, Num(l.Total), Num(l.Content), Num(l.Style), Num(l.TotalVariation), Sec(seconds)];

    static string Num(double v) => double.IsFinite(v) ? v.ToString("G4", Inv) : "–";
    static string Sec(double v) => v.ToString("F3", Inv);
    static string Ratio(double v) => double.IsFinite(v) ? v.ToString("G3", Inv) + "x" : "–";
    static string Opt(string? v) => v ?? "–";
    static string Short(string hash) => hash.Length > 12 ? hash[..12] : hash;
}
