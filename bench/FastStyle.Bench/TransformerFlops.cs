using FastStyle.Inference;
using FastStyle.Training.LossNetwork;

namespace FastStyle.Bench;

/// <summary>Multiply-adds x2 of the transformer's convolutions at an input size (the network as trained, before any ONNX rewrite).</summary>
public static class TransformerFlops
{
    public static double Count(TransformerArchitecture arch, int height, int width)
    {
        double total = 0, h = height, w = width;
        foreach (var conv in arch.Convolutions())
        {
            double outH = conv.OutputSize(h), outW = conv.OutputSize(w);
            total += 2.0 * conv.InChannels * conv.OutChannels * conv.Kernel * conv.Kernel * outH * outW;
            (h, w) = (outH, outW);
        }
        return total;
    }
}

/// <summary>
/// Convolution FLOPs (multiply-adds x2) of the work the peer benchmark defines (../shared/peer/README.md),
/// one count per configuration so that both sides' GFLOP/s divide the same number. A backward pass
/// costs one forward per gradient it needs: input and weights for the transformer, input only for
/// the frozen VGG. Gram matrices, norms and the optimiser are not counted.
/// </summary>
public static class WorkFlops
{
    /// <summary>VGG convolutions of one image up to and including the conv of <paramref name="deepestTap"/>.</summary>
    public static double Vgg(VggArchitecture arch, string deepestTap, int height, int width)
    {
        double total = 0, h = height, w = width;
        for (int i = 0; i <= arch.TapPosition(deepestTap); i++)
        {
            var conv = arch.Convs[i];
            total += 2.0 * conv.InChannels * conv.OutChannels * 9 * h * w;
            if (conv.PoolAfter) { h = Math.Floor(h / 2); w = Math.Floor(w / 2); }
        }
        return total;
    }

    /// <summary>
    /// One training step as the peer runs it: transformer forward + backward (3x), VGG forward and
    /// input-backward on the output plus forward on the content batch (3x), per image.
    /// </summary>
    public static double TrainStep(TransformerArchitecture net, VggArchitecture vgg, string deepestTap, int batch, int size)
        => batch * 3 * (TransformerFlops.Count(net, size, size) + Vgg(vgg, deepestTap, size, size));

    public static double Stylize(TransformerArchitecture net, int size) => TransformerFlops.Count(net, size, size);

    /// <summary>One loss+gradient evaluation of per-image optimisation: VGG forward and backward to the image.</summary>
    public static double GatysEvaluation(VggArchitecture vgg, string deepestTap, int size) => 2 * Vgg(vgg, deepestTap, size, size);
}
