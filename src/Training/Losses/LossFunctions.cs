using static TorchSharp.torch;

namespace FastStyle.Training.Losses;

/// <summary>The loss terms as pure tensor functions (checked against hand-computed values in tests).</summary>
internal static class LossFunctions
{
    /// <summary>Gram matrix per image, normalised by C*H*W (Johnson et al. 2016, eq. 3): [N,C,H,W] -> [N,C,C].</summary>
    public static Tensor Gram(Tensor features)
    {
        long n = features.shape[0], c = features.shape[1], hw = features.shape[2] * features.shape[3];
        if (Tensors.ChannelsLast.Is(features))
        {
            // F^T F over [N,HW,C] is the same Gram, and that view of channels_last features needs no copy.
            var pixels = Tensors.ChannelsLast.PixelsByChannel(features);
            return pixels.transpose(1, 2).bmm(pixels).to(ScalarType.Float32).div(c * hw);
        }
        var f = features.reshape(n, c, hw);
        return f.bmm(f.transpose(1, 2)).to(ScalarType.Float32).div(c * hw);
    }

    /// <summary>Mean squared difference; <paramref name="target"/> broadcasts over the batch (one style for N images).</summary>
    public static Tensor MeanSquaredError(Tensor value, Tensor target) => (value.to(ScalarType.Float32) - target.to(ScalarType.Float32)).square().mean();

    /// <summary>Mean squared difference of each image: [N,...] against [N or 1,...] -> [N].</summary>
    public static Tensor MeanSquaredErrorPerImage(Tensor value, Tensor target) => (value.to(ScalarType.Float32) - target.to(ScalarType.Float32)).square().flatten(1).mean([1]);

    /// <summary>
    /// Total variation as the mean squared difference of vertical plus horizontal neighbours: a
    /// smooth (L2) penalty that suits L-BFGS and is independent of image size.
    /// </summary>
    public static Tensor TotalVariation(Tensor image)
    {
        long h = image.shape[2], w = image.shape[3];
        var dy = image.narrow(2, 1, h - 1) - image.narrow(2, 0, h - 1);
        var dx = image.narrow(3, 1, w - 1) - image.narrow(3, 0, w - 1);
        return dy.square().mean() + dx.square().mean();
    }
}
