using System.Globalization;
using FastStyle.Data;

namespace FastStyle.Inference;

/// <summary>
/// The `--style` option's text: one style name ("wave") or a mix ("wave=0.7,udnie=0.3"), turned into
/// a model's style-weight vector (one column per style the model holds, normalised to sum 1: a
/// conditional-instance-norm mix is a convex combination of the styles' scale/shift rows,
/// Dumoulin et al. 2017 sec. 4.2). Mistakes are one line that lists the model's styles.
/// </summary>
public static class StyleMix
{
    /// <param name="option">The option the text came from, named in errors (`compare` calls it --model-style).</param>
    public static float[] Parse(string text, ModelMetadata model, string modelPath, string option = "--style")
    {
        var names = model.Styles.Select(s => s.Name).ToList();
        string Fail(string problem) => throw new FastStyleError($"{option} '{text}': {problem}; model '{modelPath}' holds: {string.Join(", ", names)}");
        var weights = new double[names.Count];
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        foreach (string part in parts)
        {
            int eq = part.IndexOf('=');
            string name = eq < 0 ? part : part[..eq].Trim();
            double weight = 1;
            if (eq >= 0 && !(double.TryParse(part[(eq + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out weight) && double.IsFinite(weight) && weight >= 0))
                Fail($"weight '{part[(eq + 1)..].Trim()}' of '{name}' is not a number >= 0");
            if (eq < 0 && parts.Length > 1) Fail($"'{name}' has no weight (mix as name=weight,name=weight)");
            int index = names.IndexOf(name);
            if (index < 0) Fail(name.Length == 0 ? "empty style name" : $"unknown style '{name}'");
            if (weights[index] != 0 || (eq >= 0 && parts.Count(p => p.Split('=')[0].Trim() == name) > 1)) Fail($"style '{name}' is given twice");
            weights[index] = weight;
        }
        double sum = weights.Sum();
        if (!(sum > 0)) Fail("the weights sum to 0");
        return weights.Select(w => (float)(w / sum)).ToArray();
    }

    /// <summary>The weights a multi-style model runs with when none are given: its first style alone.</summary>
    public static float[] FirstStyle(int styles) => Only(0, styles);

    /// <summary>One style alone: weight 1 for <paramref name="index"/>, 0 for the others.</summary>
    public static float[] Only(int index, int styles)
    {
        var weights = new float[styles];
        weights[index] = 1;
        return weights;
    }
}
