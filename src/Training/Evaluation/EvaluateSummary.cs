using FastStyle.Training.Losses;

namespace FastStyle.Training.Evaluation;

/// <summary>Mean ± standard deviation of every loss term over the evaluated images (layers as weighted shares).</summary>
public sealed record EvaluateSummary(
    MeanStd Total, MeanStd Content, MeanStd Style, MeanStd TotalVariation,
    IReadOnlyDictionary<string, MeanStd> ContentLayers, IReadOnlyDictionary<string, MeanStd> StyleLayers)
{
    public static EvaluateSummary Of(IReadOnlyList<LossValues> losses, LossConfig config)
    {
        MeanStd Stat(Func<LossValues, double> pick) => MeanStd.Of(losses.Select(pick).ToList());
        return new EvaluateSummary(
            Stat(l => l.Total), Stat(l => l.Content), Stat(l => l.Style), Stat(l => l.TotalVariation),
            config.ContentLayers.Keys.Order(StringComparer.Ordinal).ToDictionary(k => k, k => Stat(l => LayerShares.Content(l, config)[k])),
            config.StyleLayers.Keys.Order(StringComparer.Ordinal).ToDictionary(k => k, k => Stat(l => LayerShares.Style(l, config)[k])));
    }
}
