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
/// A multi-style network trains one style per batch with a one-hot style row for every sample
/// (Dumoulin et al. 2017); only that style's norm rows get a gradient, the others get exactly zero.
/// Shared by the trainer and the training benchmark so both time the same work.
/// </summary>
public sealed class TrainingStep(TransformerNet net, PerceptualLoss loss, IReadOnlyList<TrainingStyle> styles, AdamOptimizer adam, ScalarType compute)
{
    /// <summary>
    /// Runs the step on <paramref name="style"/> (an index into the styles) unless the loss is not
    /// finite or <paramref name="accept"/> refuses it (then the weights stay as they were); returns
    /// the loss values and whether the weights were updated.
    /// </summary>
    public (LossValues Values, bool Updated) Run(TrainingBatch batch, int style = 0, Func<LossValues, bool>? accept = null)
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(batch.Data, [batch.Count, 3, batch.Size, batch.Size]);
        Tensor lowered = x.to(compute);
        var contentFeatures = loss.ContentFeatures(x);
        adam.ZeroGrad();
        var trained = styles[style];
        var y = net.Transform(lowered, StyleRows(net, trained.Row, batch.Count));
        var terms = loss.Compute(y, trained.Targets.StyleGrams, contentFeatures, trained.Weight);
        var values = terms.ToValues();
        if (!double.IsFinite(values.Total) || (accept != null && !accept(values))) return (values, false);
        terms.Total.backward();
        adam.Update();
        return (values, true);
    }

    /// <summary>One-hot [n, styles] rows selecting <paramref name="row"/>; null for a single-style network.</summary>
    internal static Tensor? StyleRows(TransformerNet net, int row, long n)
    {
        if (!net.Architecture.IsMultiStyle) return null;
        var weights = new float[net.Architecture.Styles];
        weights[row] = 1;
        return TransformerNet.StyleWeights(weights, n);
    }
}
