namespace FastStyle.Inference;

/// <summary>
/// The state-dict names and shapes a <see cref="TransformerArchitecture"/> needs, in network
/// order. Mirrors the parameters registered by the TorchSharp TransformerNet (src/Training) so
/// the exporter can reject a weight set before building a graph ORT would refuse with a vaguer error.
/// </summary>
public static class TransformerWeightLayout
{
    public static IReadOnlyList<(string Name, long[] Shape)> Expected(TransformerArchitecture arch)
    {
        long c = arch.BaseChannels;
        var list = new List<(string, long[])>();
        void Conv(string name, long outC, long inC, long k)
        {
            list.Add(($"{name}.conv.weight", [outC, inC, k, k]));
            list.Add(($"{name}.conv.bias", [outC]));
        }
        void Norm(string name, long channels)
        {
            list.Add(($"{name}.weight", [channels]));
            list.Add(($"{name}.bias", [channels]));
        }
        void Up(string name, long inC, long outC)
        {
            // Conv2d weights are [out,in,k,k]; ConvTranspose2d weights are [in,out,k,k]
            // (PyTorch layout, which is also the ONNX ConvTranspose "C x M/group x kH x kW" layout).
            list.Add(($"{name}.conv.weight", arch.Upsample == UpsampleMode.Transpose ? [inC, outC, 3, 3] : [outC, inC, 3, 3]));
            list.Add(($"{name}.conv.bias", [outC]));
        }

        Conv("conv1", c, 3, 9); Norm("in1", c);
        Conv("conv2", 2 * c, c, 3); Norm("in2", 2 * c);
        Conv("conv3", 4 * c, 2 * c, 3); Norm("in3", 4 * c);
        for (int r = 1; r <= arch.ResidualBlocks; r++)
        {
            Conv($"res{r}.conv1", 4 * c, 4 * c, 3); Norm($"res{r}.in1", 4 * c);
            Conv($"res{r}.conv2", 4 * c, 4 * c, 3); Norm($"res{r}.in2", 4 * c);
        }
        Up("up1", 4 * c, 2 * c); Norm("in4", 2 * c);
        Up("up2", 2 * c, c); Norm("in5", c);
        Conv("conv_out", 3, c, 9);
        return list;
    }
}
