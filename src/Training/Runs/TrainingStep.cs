using FastStyle.Data.Datasets;
using FastStyle.Training.Losses;
using FastStyle.Training.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace FastStyle.Training.Runs;

/// <summary>A style a run trains: its Gram targets, its factor on the style weight, and its row in the network's norm tables.</summary>
public sealed record TrainingStyle(string Name, LossTargets Targets, double Weight, int Row);

/// <summary>
/// One Adam step of Johnson et al. (2016): content features of the batch from the frozen VGG, the
/// transformer's output through the same VGG, the loss against the style Grams, backward, update.
/// A multi-style network gives each image a one-hot style row (Dumoulin et al. 2017); only the norm
/// rows of the styles in the batch get a gradient, the others get exactly zero.
/// Shared by the trainer and the training benchmark so both time the same work.
/// </summary>
public sealed class TrainingStep(TransformerNet net, PerceptualLoss loss, IReadOnlyList<TrainingStyle> styles, AdamOptimizer adam, ScalarType compute)
{
    /// <summary>Runs the step with every image on <paramref name="style"/> (an index into the styles); see the other overload.</summary>
    public (LossValues Values, bool Updated) Run(TrainingBatch batch, int style = 0, Func<LossValues, bool>? accept = null)
        => Run(batch, Enumerable.Repeat(style, batch.Count).ToArray(), accept);

    /// <summary>
    /// Runs the step, image i on style <paramref name="styleOfImage"/>[i], unless the loss is not finite
    /// or <paramref name="accept"/> refuses it (then the weights stay as they were); returns the loss
    /// values and whether the weights were updated.
    /// </summary>
    public (LossValues Values, bool Updated) Run(TrainingBatch batch, IReadOnlyList<int> styleOfImage, Func<LossValues, bool>? accept = null)
    {
        if (styleOfImage.Count != batch.Count) throw new ArgumentException($"{styleOfImage.Count} styles for a batch of {batch.Count} images");
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(batch.Data, [batch.Count, 3, batch.Size, batch.Size]);
        Tensor lowered = x.to(compute);
        var contentFeatures = loss.ContentFeatures(x);
        adam.ZeroGrad();
        var trained = styleOfImage.Select(i => styles[i]).ToList();
        var y = net.Transform(lowered, StyleRows(net, trained.Select(s => s.Row).ToList()));
        var terms = trained.All(s => s.Row == trained[0].Row)
            ? loss.Compute(y, trained[0].Targets.StyleGrams, contentFeatures, trained[0].Weight)
            : loss.Compute(y, ImageGrams(trained), contentFeatures, imageStyleScales: torch.tensor(trained.Select(s => (float)s.Weight).ToArray()));
        var values = terms.ToValues();
        if (!double.IsFinite(values.Total) || (accept != null && !accept(values))) return (values, false);
        terms.Total.backward();
        adam.Update();
        return (values, true);
    }

    /// <summary>Each image's own style targets, stacked: [N,C,C] per layer.</summary>
    static Dictionary<string, Tensor> ImageGrams(List<TrainingStyle> styleOfImage)
        => styleOfImage[0].Targets.StyleGrams.Keys.ToDictionary(layer => layer, layer => torch.cat(styleOfImage.Select(s => s.Targets.StyleGrams[layer]).ToList(), 0));

    /// <summary>One-hot [n, styles] rows selecting <paramref name="row"/> for every image; null for a single-style network.</summary>
    internal static Tensor? StyleRows(TransformerNet net, int row, long n) => StyleRows(net, Enumerable.Repeat(row, (int)n).ToList());

    /// <summary>One-hot [n, styles] rows, image i selecting <paramref name="rows"/>[i]; null for a single-style network.</summary>
    internal static Tensor? StyleRows(TransformerNet net, IReadOnlyList<int> rows)
    {
        if (!net.Architecture.IsMultiStyle) return null;
        int styles = net.Architecture.Styles;
        var weights = new float[rows.Count * styles];
        for (int i = 0; i < rows.Count; i++) weights[i * styles + rows[i]] = 1;
        return torch.tensor(weights, [rows.Count, styles]);
    }
}
