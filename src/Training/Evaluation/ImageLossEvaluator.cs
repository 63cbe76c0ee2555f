using FastStyle.Data.Imaging;
using FastStyle.Training.Losses;
using FastStyle.Training.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace FastStyle.Training.Evaluation;

/// <summary>
/// The training/optimisation objective (<see cref="PerceptualLoss"/>) applied to finished images:
/// the style's Gram targets are computed once, the content features per image. Going through the
/// same PerceptualLoss as optimize and train is what makes the numbers comparable across them.
/// </summary>
internal sealed class ImageLossEvaluator : IDisposable
{
    readonly PerceptualLoss loss;
    readonly LossTargets styleTargets;

    public ImageLossEvaluator(PerceptualLoss loss, RgbImage style)
    {
        this.loss = loss;
        using var scope = torch.NewDisposeScope();
        styleTargets = loss.Targets(ImageTensors.ToTensor(style), null);
        // The targets outlive this constructor: take them out of its scope (Dispose frees them).
        foreach (var t in styleTargets.StyleGrams.Values) t.DetachFromDisposeScope();
    }

    public LossConfig Config => loss.Config;

    /// <summary>Losses of <paramref name="stylized"/> against the style and <paramref name="content"/>; both images must have one size.</summary>
    public LossValues Evaluate(RgbImage stylized, RgbImage content)
    {
        if (stylized.Width != content.Width || stylized.Height != content.Height)
            throw new ArgumentException($"stylised image {stylized.Width}x{stylized.Height} differs from content {content.Width}x{content.Height}; resize it first (EvaluationImages.LoadMatching)");
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var contentFeatures = loss.ContentFeatures(ImageTensors.ToTensor(content));
        return loss.Compute(ImageTensors.ToTensor(stylized), styleTargets.StyleGrams, contentFeatures).ToValues();
    }

    public void Dispose() => styleTargets.Dispose();
}
