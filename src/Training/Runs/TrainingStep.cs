using FastStyle.Data.Datasets;
using FastStyle.Training.Losses;
using FastStyle.Training.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace FastStyle.Training.Runs;

/// <summary>
/// One Adam step of Johnson et al. (2016): content features of the batch from the frozen VGG, the
/// transformer's output through the same VGG, the loss against the style Grams, backward, update.
/// Shared by the trainer and the training benchmark so both time the same work.
/// </summary>
public sealed class TrainingStep(TransformerNet net, PerceptualLoss loss, LossTargets targets, AdamOptimizer adam, ScalarType compute)
{
    /// <summary>
    /// Runs the step unless the loss is not finite or <paramref name="accept"/> refuses it (then the
    /// weights stay as they were); returns the loss values and whether the weights were updated.
    /// </summary>
    public (LossValues Values, bool Updated) Run(TrainingBatch batch, Func<LossValues, bool>? accept = null)
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(batch.Data, [batch.Count, 3, batch.Size, batch.Size]);
        Tensor lowered = x.to(compute);
        var contentFeatures = loss.ContentFeatures(x);
        adam.ZeroGrad();
        var y = net.call(lowered);
        var terms = loss.Compute(y, targets.StyleGrams, contentFeatures);
        var values = terms.ToValues();
        if (!double.IsFinite(values.Total) || (accept != null && !accept(values))) return (values, false);
        terms.Total.backward();
        adam.Update();
        return (values, true);
    }
}
