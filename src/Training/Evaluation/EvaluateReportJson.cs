using System.Text.Json.Nodes;
using FastStyle.Training.Reporting;

namespace FastStyle.Training.Evaluation;

/// <summary>The JSON written by `faststyle evaluate --json`: inputs, per-image losses, and their mean ± std.</summary>
internal static class EvaluateReportJson
{
    public const string Format = "faststyle-evaluate";
    public const int Version = 1;

    public static JsonObject Build(EvaluateResult result)
    {
        var request = result.Request;
        var images = new JsonArray();
        foreach (var image in result.Images)
            images.Add(new JsonObject
            {
                ["content"] = image.ContentPath,
                ["stylized"] = image.StylizedPath,
                ["width"] = image.Width,
                ["height"] = image.Height,
                ["loss"] = ReportJson.Loss(image.Loss, request.Loss),
            });
        var s = result.Summary;
        return new JsonObject
        {
            ["format"] = Format,
            ["version"] = Version,
            ["complete"] = result.Complete,
            ["style"] = request.StylePath,
            ["size"] = request.Size,
            ["style_size"] = request.StyleSize ?? request.Size,
            ["sizing"] = "content resized to longest side = size; stylized resized to the content's size; style resized to longest side = style_size",
            ["vgg"] = new JsonObject { ["path"] = request.VggPath, ["sha256"] = result.VggSha256 },
            ["loss_config"] = new JsonObject
            {
                ["source"] = request.LossSource,
                ["text"] = request.Loss.Describe(),
                ["sha256"] = FileHash.Sha256OfText(request.Loss.Describe()),
            },
            ["versions"] = LibraryVersions.ToJson(),
            ["images"] = images,
            ["summary"] = new JsonObject
            {
                ["count"] = result.Images.Count,
                ["std"] = "sample standard deviation (n-1); null for a single image",
                ["total"] = ReportJson.Stats(s.Total),
                ["content"] = ReportJson.Stats(s.Content),
                ["style"] = ReportJson.Stats(s.Style),
                ["tv"] = ReportJson.Stats(s.TotalVariation),
                ["content_layers_weighted"] = Map(s.ContentLayers),
                ["style_layers_weighted"] = Map(s.StyleLayers),
            },
        };
    }

    static JsonObject Map(IReadOnlyDictionary<string, MeanStd> stats)
    {
        var o = new JsonObject();
        foreach (var (k, v) in stats) o[k] = ReportJson.Stats(v);
        return o;
    }
}
