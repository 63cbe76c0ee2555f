using FastStyle.Data.Weights;
using FastStyle.Inference;

namespace FastStyle.Training.Networks;

/// <summary>
/// Seeding a deeper network from a trained one (init_from a network with fewer residual blocks): the
/// source's blocks keep their places and weights, and the new blocks follow them, each starting with its
/// last norm's scale and shift at zero, so it adds nothing to its input (the "zero gamma" start of Goyal
/// et al. 2017) and the deeper network computes exactly what the source did. Training then grows the
/// blocks from there: the zero scale still gets a gradient, and once it moves, so do the block's convolutions.
/// </summary>
public static class ResidualDeepening
{
    /// <summary>True when <paramref name="target"/> is <paramref name="source"/> with more residual blocks and nothing else changed (style rows aside).</summary>
    public static bool Deepens(TransformerArchitecture source, TransformerArchitecture target)
        => target.ResidualBlocks > source.ResidualBlocks && (source with { ResidualBlocks = target.ResidualBlocks }).SharesConvolutionsWith(target);

    /// <summary>The state-dict names of the residual blocks <paramref name="target"/> has beyond <paramref name="source"/>'s ("res6", "res7").</summary>
    public static IReadOnlyList<string> NewBlocks(TransformerArchitecture source, TransformerArchitecture target)
        => target.Layers().Where(l => l.Kind == TransformerLayerKind.Residual).Select(l => l.Name)
            .Except(source.Layers().Select(l => l.Name)).ToList();

    /// <summary>
    /// <paramref name="trained"/> (weights for <paramref name="source"/>) completed for <paramref name="target"/>: every tensor
    /// of a new block comes from <paramref name="fresh"/> (the target network's initial weights), except the scale and
    /// shift of the block's last norm, which are zero.
    /// </summary>
    public static Dictionary<string, TensorData> WithIdentityBlocks(IReadOnlyDictionary<string, TensorData> trained, TransformerArchitecture source,
        IReadOnlyDictionary<string, TensorData> fresh, TransformerArchitecture target)
    {
        if (!Deepens(source, target)) throw new ArgumentException($"{target} does not deepen {source}", nameof(target));
        var weights = trained.ToDictionary(kv => kv.Key, kv => kv.Value);
        var newBlocks = NewBlocks(source, target);
        foreach (var (name, _) in TransformerWeightLayout.Expected(target))
            if (newBlocks.Any(block => name.StartsWith(block + ".", StringComparison.Ordinal)))
                weights[name] = fresh[name];
        foreach (string block in newBlocks)
        {
            string lastNorm = target.Convolutions().Last(c => c.Name.StartsWith(block + ".", StringComparison.Ordinal)).Norm!;
            foreach (string name in new[] { $"{lastNorm}.weight", $"{lastNorm}.bias" })
                weights[name] = fresh[name] with { Values = new float[fresh[name].Values.Length] };
        }
        return weights;
    }
}
