using static TorchSharp.torch;

namespace FastStyle.Training.Losses;

/// <summary>The loss terms as pure tensor functions (checked against hand-computed values in tests).</summary>
internal static class LossFunctions
{
    /// <summary>Gram matrix per image, normalised by C*H*W (Johnson et al. 2016, eq. 3): [N,C,H,W] -> [N,C,C].</summary>
    public static Tensor Gram(Tensor features)
    {
        long n = features.shape[0], c = features.shape[1], hw = features.shape[2] * features.shape[3];
        Tensor product;
        if (Tensors.ChannelsLast.Is(features))
        {
            // P^T P over P = [N,HW,C] is the same Gram, and that view of channels_last features needs no copy.
            var pixels = Tensors.ChannelsLast.PixelsByChannel(features);
            product = pixels.detach().transpose(1, 2).bmm(pixels);
        }
        else
        {
            var f = features.reshape(n, c, hw);
            product = f.bmm(f.detach().transpose(1, 2));
        }
        return SymmetricGradient(product.to(ScalarType.Float32)).div(c * hw);
    }

    /// <summary>
    /// X + X^T - detach(X): the value of X (a Gram matrix is symmetric), and the gradient through X becomes
    /// dG + dG^T. Why: with one factor of the product detached, autograd computes the features' gradient as
    /// a single [HW,C]x[C,C] product in the features' own layout, instead of one product per factor plus a
    /// transposed add of two [C,HW]-sized gradients; a 64-channel 256x256 Gram's forward and backward went
    /// 21-35 -> 8 ms, and one optimisation evaluation (`FastStyle.Bench json gatys`, three alternating runs each, AVX2 EPYC
    /// Zen 3, 2 threads) 0.53-0.57 -> 0.45-0.48 s at 256 px.
    /// In float32 (a bfloat16 product is converted first), so the sum and difference add no bfloat16 rounding.
    /// </summary>
    static Tensor SymmetricGradient(Tensor product) => product + product.transpose(1, 2) - product.detach();

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
