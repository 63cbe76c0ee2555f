using System.Text.Json;
using System.Text.Json.Nodes;
using FastStyle.Data;
using FastStyle.Training.Losses;

namespace FastStyle.Training.Evaluation;

/// <summary>JSON building blocks shared by the evaluate and compare reports.</summary>
internal static class ReportJson
{
    // Relaxed escaping: the files are read as JSON, never pasted into HTML, so "'" and "±" stay readable.
    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// A number, or null when it is NaN or infinite: JSON has no such values (RFC 8259 sec. 6)
    /// and System.Text.Json refuses to write them by default.
    /// </summary>
    public static JsonNode? Number(double value) => double.IsFinite(value) ? JsonValue.Create(value) : null;

    public static JsonNode? Number(double? value) => value is { } v ? Number(v) : null;

    /// <summary>
    /// A loss evaluation. Layer entries give the raw per-layer term (as <see cref="LossValues"/> does)
    /// and its weighted share (raw x layer weight x content/style weight), so shares add up to the totals.
    /// </summary>
    public static JsonObject Loss(LossValues values, LossConfig config) => new()
    {
        ["total"] = Number(values.Total),
        ["content"] = Number(values.Content),
        ["style"] = Number(values.Style),
        ["tv"] = Number(values.TotalVariation),
        ["content_layers"] = Layers(values.ContentByLayer, LayerShares.Content(values, config)),
        ["style_layers"] = Layers(values.StyleByLayer, LayerShares.Style(values, config)),
    };

    static JsonObject Layers(IReadOnlyDictionary<string, double> raw, IReadOnlyDictionary<string, double> weighted)
    {
        var o = new JsonObject();
        foreach (var (layer, share) in weighted)
            o[layer] = new JsonObject { ["raw"] = Number(raw[layer]), ["weighted"] = Number(share) };
        return o;
    }

    public static JsonObject Stats(MeanStd s) => new()
    {
        ["mean"] = Number(s.Mean),
        ["std"] = Number(s.StandardDeviation),
        ["count"] = s.Count,
    };

    public static void WriteAtomically(string path, JsonNode node) => AtomicFile.WriteAllText(path, node.ToJsonString(Indented) + "\n");
}
