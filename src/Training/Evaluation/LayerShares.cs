using FastStyle.Training.Losses;

namespace FastStyle.Training.Evaluation;

/// <summary>
/// Each layer's share of a weighted total: raw term x layer weight x content/style weight. The
/// raw per-layer terms (<see cref="LossValues.StyleByLayer"/>) differ by orders of magnitude
/// between layers; the shares add up to <see cref="LossValues.Style"/> (or Content), which is what
/// a reader needs to see which layer dominates the objective.
/// </summary>
internal static class LayerShares
{
    public static IReadOnlyDictionary<string, double> Style(LossValues values, LossConfig config)
        => Shares(values.StyleByLayer, config.StyleLayers, config.StyleWeight);

    public static IReadOnlyDictionary<string, double> Content(LossValues values, LossConfig config)
        => Shares(values.ContentByLayer, config.ContentLayers, config.ContentWeight);

    static Dictionary<string, double> Shares(IReadOnlyDictionary<string, double> raw, IReadOnlyDictionary<string, double> layerWeights, double weight)
        => raw.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(kv => kv.Key, kv => kv.Value * layerWeights[kv.Key] * weight);
}
