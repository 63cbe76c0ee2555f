using System.Text.Json.Nodes;
using FastStyle.Inference;
using FastStyle.Training.Optimization;

namespace FastStyle.Training.Evaluation;

/// <summary>report.json of `faststyle compare`: every number of the run, and what produced it.</summary>
internal static class CompareReportJson
{
    public const string Format = "faststyle-compare";
    public const int Version = 1;

    /// <summary>
    /// The report fields (section, key) that fix a Gatys run: everything it depends on but the content
    /// image, which is matched per image by its sha256. `compare --reuse-gatys` requires all of them equal.
    /// </summary>
    public static readonly IReadOnlyList<(string Section, string Key)> GatysInputs =
    [
        ("style", "sha256"), ("style", "width"), ("style", "height"), ("vgg", "sha256"), ("loss_config", "sha256"),
        ("settings", "size"), ("settings", "checkpoints"), ("settings", "optimizer"), ("settings", "init"),
        ("settings", "lbfgs_history"), ("settings", "seed"),
    ];

    public static JsonObject Build(CompareReport report)
    {
        var s = report.Setup;
        var r = s.Request;
        var loss = r.Loss;
        var options = GatysCheckpointRun.Options(r.Iterations, r.Init, r.Seed);
        var images = new JsonArray();
        foreach (var i in report.Images) images.Add(Image(i, loss));
        var summary = report.Summary;
        return new JsonObject
        {
            ["format"] = Format,
            ["version"] = Version,
            ["complete"] = report.Complete,
            ["started_utc"] = s.Started.UtcDateTime.ToString("O"),
            ["model"] = new JsonObject
            {
                ["path"] = r.ModelPath,
                ["sha256"] = s.ModelSha256,
                ["style_name"] = s.Model.StyleName,
                ["style_image_sha256"] = s.Model.StyleImageSha256,
                ["styles"] = s.Model.Architecture.Styles,
                ["ran_with_style"] = s.ModelStyle.Name,
                ["training_steps"] = s.Model.TrainingSteps,
                ["config_hash"] = s.Model.ConfigHash,
                ["architecture"] = new JsonObject
                {
                    ["base_channels"] = s.Model.Architecture.BaseChannels,
                    ["residual_blocks"] = s.Model.Architecture.ResidualBlocks,
                    ["upsample"] = EnumText<UpsampleMode>.Of(s.Model.Architecture.Upsample),
                },
            },
            ["style"] = new JsonObject
            {
                ["path"] = r.StylePath,
                ["sha256"] = s.StyleSha256,
                ["matches_model"] = s.StyleMatchesModel,
                ["width"] = s.StyleWidth,
                ["height"] = s.StyleHeight,
                ["image"] = CompareOutputLayout.StyleImage,
            },
            ["vgg"] = new JsonObject { ["path"] = r.VggPath, ["sha256"] = s.VggSha256 },
            ["loss_config"] = new JsonObject { ["source"] = r.LossSource, ["text"] = s.LossText, ["sha256"] = s.LossSha256 },
            ["settings"] = new JsonObject
            {
                ["size"] = r.Size,
                ["style_size"] = r.StyleSize ?? r.Size,
                ["checkpoints"] = new JsonArray(r.Iterations.Select(i => (JsonNode)i).ToArray()),
                ["max_iterations"] = options.Iterations,
                ["optimizer"] = options.Optimizer.ToString().ToLowerInvariant(),
                ["init"] = options.Init.ToString().ToLowerInvariant(),
                ["lbfgs_history"] = options.LbfgsHistory,
                ["seed"] = r.Seed,
                ["reuse_gatys"] = r.ReuseGatysFrom,
                ["network_timed_runs"] = r.NetworkTimedRuns,
                ["network_timing"] = "median of the timed runs after one untimed warm-up; model loading excluded",
                ["gatys_timing"] = "wall time from the start of iteration 1 through the loss evaluation of each iteration; VGG loading, target computation and checkpoint writing excluded",
                ["equivalent_iterations"] = "first Gatys iteration >= 1 whose total loss <= the network's total loss; null if none within the run",
                ["speed_ratio"] = "Gatys seconds to the equivalent iteration / network seconds",
            },
            ["versions"] = LibraryVersions.ToJson(),
            ["images"] = images,
            ["summary"] = new JsonObject
            {
                ["images"] = summary.Images,
                ["reached"] = summary.Reached,
                ["mean_equivalent_iterations"] = ReportJson.Number(summary.EquivalentIterations.Mean),
                ["equivalent_iterations"] = ReportJson.Stats(summary.EquivalentIterations),
                ["mean_speed_ratio"] = ReportJson.Number(summary.SpeedRatio.Mean),
                ["speed_ratio"] = ReportJson.Stats(summary.SpeedRatio),
                ["network_seconds"] = ReportJson.Stats(summary.NetworkSeconds),
                ["network_style_fraction"] = ReportJson.Stats(summary.NetworkStyleFraction),
                ["text"] = summary.Describe(),
            },
        };
    }

    static JsonObject Image(ImageComparison i, Losses.LossConfig loss)
    {
        var checkpoints = new JsonArray();
        foreach (var k in i.Checkpoints)
            checkpoints.Add(new JsonObject
            {
                ["iteration"] = k.Iteration,
                ["seconds"] = ReportJson.Number(k.Seconds),
                ["image"] = k.Image,
                ["loss"] = ReportJson.Loss(k.Loss, loss),
                ["optimizer_total"] = ReportJson.Number(k.OptimizerTotal),
            });
        return new JsonObject
        {
            ["index"] = i.Index,
            ["content"] = i.ContentPath,
            ["content_sha256"] = i.ContentSha256,
            ["content_image"] = i.ContentImage,
            ["width"] = i.Width,
            ["height"] = i.Height,
            ["interrupted"] = i.Interrupted,
            ["network"] = new JsonObject
            {
                ["image"] = i.Network.Image,
                ["seconds"] = ReportJson.Number(i.Network.Seconds),
                ["run_seconds"] = new JsonArray(i.Network.RunSeconds.Select(ReportJson.Number).ToArray()),
                ["warmup_seconds"] = ReportJson.Number(i.Network.WarmupSeconds),
                ["loss"] = ReportJson.Loss(i.Network.Loss, loss),
            },
            ["gatys"] = new JsonObject
            {
                ["iterations_run"] = i.History[^1].Iteration,
                ["reused_from"] = i.GatysReusedFrom,
                ["seconds"] = ReportJson.Number(i.GatysSeconds),
                ["checkpoints"] = checkpoints,
                ["history"] = History(i.History),
            },
            ["content_photo_loss"] = ReportJson.Loss(i.ContentPhoto, loss),
            ["network_style_fraction"] = ReportJson.Number(i.NetworkStyleFraction),
            ["equivalent_iterations"] = i.Equivalence.Iterations,
            ["equivalent_seconds"] = ReportJson.Number(i.Equivalence.Seconds),
            ["speed_ratio"] = ReportJson.Number(i.Equivalence.SpeedRatio),
        };
    }

    static JsonArray History(IReadOnlyList<IterationLoss> history)
    {
        var array = new JsonArray();
        foreach (var h in history)
            array.Add(new JsonObject
            {
                ["iteration"] = h.Iteration,
                ["seconds"] = ReportJson.Number(h.Seconds),
                ["total"] = ReportJson.Number(h.Loss.Total),
                ["content"] = ReportJson.Number(h.Loss.Content),
                ["style"] = ReportJson.Number(h.Loss.Style),
                ["tv"] = ReportJson.Number(h.Loss.TotalVariation),
            });
        return array;
    }
}
