using FastStyle.Inference;

namespace FastStyle.Bench;

/// <summary>Multiply-adds x2 of the transformer's convolutions at an input size (the network as trained, before any ONNX rewrite).</summary>
public static class TransformerFlops
{
    public static double Count(TransformerArchitecture arch, int height, int width)
    {
        double c = arch.BaseChannels, h = height, w = width;
        double Conv(double cin, double cout, double k, double outH, double outW) => 2 * cin * cout * k * k * outH * outW;
        double total = Conv(3, c, 9, h, w) + Conv(c, 2 * c, 3, h / 2, w / 2) + Conv(2 * c, 4 * c, 3, h / 4, w / 4);
        total += arch.ResidualBlocks * 2 * Conv(4 * c, 4 * c, 3, h / 4, w / 4);
        total += Conv(4 * c, 2 * c, 3, h / 2, w / 2) + Conv(2 * c, c, 3, h, w) + Conv(c, 3, 9, h, w);
        return total;
    }
}
