namespace FastStyle.Training.Losses;

/// <summary>One wording, for train and optimize, of a loss that became NaN or infinite, naming the terms that did.</summary>
internal static class NonFiniteLoss
{
    public static string Describe(LossValues loss, string where)
    {
        var terms = new (string Name, double Value)[] { ("content", loss.Content), ("style", loss.Style), ("tv", loss.TotalVariation) }
            .Where(t => !double.IsFinite(t.Value)).Select(t => $"{t.Name} {t.Value}");
        return $"loss became {loss.Total} at {where} ({string.Join(", ", terms.DefaultIfEmpty("a term overflowed when summed"))})";
    }
}
