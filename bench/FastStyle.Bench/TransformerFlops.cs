using FastStyle.Inference;

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
