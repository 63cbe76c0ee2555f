using System.Text.Json;
using System.Text.Json.Nodes;
using FastStyle.Data;
using FastStyle.Training.Losses;
using FastStyle.Training.Optimization;
using FastStyle.Training.Reporting;

namespace FastStyle.Training.Evaluation;

/// <summary>
/// The Gatys runs of an earlier `compare` (its output folder), for `compare --reuse-gatys`. Per-image
/// optimisation depends on the content and style images, the sizes, the loss, the VGG weights and the
/// start, never on the network, so scoring several networks on one dev set needs it once; on a CPU it
/// is nearly all of compare's time. Reuse is refused unless every one of those inputs matches.
/// Per image it is matched by the content file's sha256 (reports written before that was recorded:
/// the sha256 of the file at their recorded path); an image the earlier run lacks or did not finish is
/// optimised afresh. Checkpoint images are copied where the earlier folder still has them (published
/// reports such as docs/compare keep only the numbers); the numbers are reused either way.
/// </summary>
internal sealed class EarlierGatysRuns
{
    readonly string _directory;
    readonly Dictionary<string, JsonNode> _imagesByContentSha = [];

    public string Source { get; }

    EarlierGatysRuns(string directory, string source)
    {
        _directory = directory;
        Source = source;
    }

    public static EarlierGatysRuns Load(string directory, CompareSetup setup)
    {
        string where = $"--reuse-gatys '{directory}'";
        if (Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar) == Path.GetFullPath(setup.Request.OutputDirectory).TrimEnd(Path.DirectorySeparatorChar))
            throw new FastStyleError($"{where}: is the --output folder itself; copy the earlier results elsewhere first (this run rewrites that folder)");
        string reportPath = CompareOutputLayout.Full(directory, CompareOutputLayout.ReportJson);
        if (!File.Exists(reportPath))
            throw new FastStyleError($"{where}: no {CompareOutputLayout.ReportJson} there; give the output folder of an earlier compare");
        JsonNode report;
        try { report = JsonNode.Parse(File.ReadAllText(reportPath)) ?? throw new JsonException("empty"); }
        catch (JsonException e) { throw new FastStyleError($"{where}: {CompareOutputLayout.ReportJson} is not valid JSON ({e.Message})"); }
        if (report["format"]?.ToString() != CompareReportJson.Format)
            throw new FastStyleError($"{where}: {CompareOutputLayout.ReportJson} is not a compare report");

        var now = CompareReportJson.Build(new CompareReport(setup, [], Complete: false));
        foreach (var (section, key) in CompareReportJson.GatysInputs)
        {
            string? was = report[section]?[key]?.ToJsonString(), wants = now[section]?[key]?.ToJsonString();
            if (was != wants)
                throw new FastStyleError($"{where}: its Gatys runs used {section} {key} {was ?? "(not recorded)"}, this compare {wants}; they cannot be reused");
        }

        var runs = new EarlierGatysRuns(directory, $"{directory} (started {report["started_utc"]})");
        foreach (var image in report["images"]?.AsArray() ?? [])
        {
            if (image == null || image["interrupted"]?.GetValue<bool>() != false || ContentSha(image) is not { } sha) continue;
            runs._imagesByContentSha.TryAdd(sha, image);
        }
        return runs;
    }

    static string? ContentSha(JsonNode image) =>
        image["content_sha256"]?.GetValue<string>()
        ?? (image["content"]?.GetValue<string>() is { } path && File.Exists(path) ? FileHash.Sha256OfFile(path) : null);

    /// <summary>
    /// The earlier run's Gatys result for this content file, each checkpoint image it still has copied
    /// into this run's layout by <paramref name="copyImage"/>(earlier file, iteration); null if there is none.
    /// </summary>
    public GatysOutcome? Find(string contentSha256, Action<string, int> copyImage)
    {
        if (!_imagesByContentSha.TryGetValue(contentSha256, out var image)) return null;
        try { return Read(image, copyImage); }
        catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException)
        {
            throw new FastStyleError($"--reuse-gatys '{_directory}': the entry for '{image["content"]}' in {CompareOutputLayout.ReportJson} is incomplete or malformed ({e.Message})");
        }
    }

    GatysOutcome Read(JsonNode image, Action<string, int> copyImage)
    {
        var gatys = image["gatys"]!;
        var checkpoints = gatys["checkpoints"]!.AsArray().Select(c => (
            Iteration: c!["iteration"]!.GetValue<int>(),
            // null: the earlier run itself reused a report without images.
            File: c["image"]?.GetValue<string>() is { } relative ? CompareOutputLayout.Full(_directory, relative) : null,
            Seconds: c["seconds"]!.GetValue<double>(),
            Loss: Loss(c["loss"]!),
            OptimizerTotal: c["optimizer_total"]!.GetValue<double>())).ToList();

        var history = gatys["history"]!.AsArray().Select(h => new IterationLoss(h!["iteration"]!.GetValue<int>(), h["seconds"]!.GetValue<double>(),
            new LossValues(h["total"]!.GetValue<double>(), h["content"]!.GetValue<double>(), h["style"]!.GetValue<double>(), h["tv"]!.GetValue<double>(),
                new Dictionary<string, double>(), new Dictionary<string, double>()))).ToList();
        var results = new List<(int, double, LossValues, double, bool)>();
        foreach (var c in checkpoints)
        {
            bool kept = c.File != null && File.Exists(c.File);
            if (kept) copyImage(c.File!, c.Iteration);
            results.Add((c.Iteration, c.Seconds, c.Loss, c.OptimizerTotal, kept));
        }
        return new GatysOutcome(history, results, gatys["seconds"]!.GetValue<double>(), Interrupted: false, ReusedFrom: Source);
    }

    /// <summary>Reads back what <see cref="ReportJson.Loss"/> wrote.</summary>
    static LossValues Loss(JsonNode loss)
    {
        static Dictionary<string, double> Raw(JsonNode? layers) => layers?.AsObject().ToDictionary(kv => kv.Key, kv => kv.Value!["raw"]!.GetValue<double>()) ?? [];
        double Number(string key) => loss[key]?.GetValue<double>() ?? double.NaN;
        return new LossValues(Number("total"), Number("content"), Number("style"), Number("tv"), Raw(loss["content_layers"]), Raw(loss["style_layers"]));
    }
}

/// <summary>
/// One content image's Gatys side of a comparison, run here or reused from an earlier compare.
/// </summary>
/// <param name="Checkpoints">(iteration, seconds, loss of the clipped image, the optimiser's own total, whether this run has its image) per checkpoint.</param>
/// <param name="ReusedFrom">The earlier compare it came from (folder and start time); null if optimised in this run.</param>
public sealed record GatysOutcome(IReadOnlyList<IterationLoss> History, IReadOnlyList<(int Iteration, double Seconds, LossValues Loss, double OptimizerTotal, bool HasImage)> Checkpoints,
    double Seconds, bool Interrupted, string? ReusedFrom);
