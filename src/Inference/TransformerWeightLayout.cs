namespace FastStyle.Inference;

/// <summary>
/// The state-dict names and shapes a <see cref="TransformerArchitecture"/> needs, in network
/// order, read from <see cref="TransformerArchitecture.Convolutions"/> (the layout the TorchSharp
/// TransformerNet is built from), so the exporter can reject a weight set before building a graph
/// ORT would refuse with a vaguer error.
/// </summary>
public static class TransformerWeightLayout
{
    public static IReadOnlyList<(string Name, long[] Shape)> Expected(TransformerArchitecture arch)
    {
        var list = new List<(string, long[])>();
        foreach (var conv in arch.Convolutions())
        {
            list.Add((conv.WeightName, conv.WeightShape));
            list.Add((conv.BiasName, [conv.OutChannels]));
            if (conv.Norm is { } norm)
            {
                list.Add(($"{norm}.weight", arch.NormShape(conv.OutChannels)));
                list.Add(($"{norm}.bias", arch.NormShape(conv.OutChannels)));
            }
        }
        return list;
    }

    /// <summary>Every instance-norm tensor ("in1.weight", "res1.in2.bias", ...) and its channel count: the per-style tables of a multi-style network.</summary>
    public static IEnumerable<(string Name, int Channels)> NormTensors(TransformerArchitecture arch)
    {
        foreach (var conv in arch.Convolutions())
            if (conv.Norm is { } norm)
            {
                yield return ($"{norm}.weight", conv.OutChannels);
                yield return ($"{norm}.bias", conv.OutChannels);
            }
    }
}
