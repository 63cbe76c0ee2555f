using System.Text.RegularExpressions;
using FastStyle.Inference;

namespace FastStyle.Training.Runs;

/// <summary>How a run trains: every weight, or (adding styles to a trained network) only the new styles' norm rows.</summary>
public enum TrainMode
{
    All,
    /// <summary>Dumoulin et al. 2017 sec. 4.3: a new style needs only its own scale/shift; the convolutions stay as trained.</summary>
    [Spelled("norm_only")] NormOnly,
}

/// <summary>
/// One style of a run: its name (the key `--style` selects it by), painting, the side the painting is
/// resized to for its Gram targets, a factor on loss.style_weight (paintings differ in how strong
/// their Gram matrices are, so one style weight rarely suits all of them), and its share of the draws
/// (how often a training image trains this style, relative to the others).
/// </summary>
public sealed record StyleSpec(string Name, string Image, int? StyleSize, double Weight, double Share = StyleSpec.DefaultShare)
{
    public const double DefaultShare = 1.0;

    /// <summary>Names end up in `--style wave=0.7,udnie=0.3` and in file metadata: no separators, no spaces.</summary>
    public static readonly Regex NamePattern = new("^[A-Za-z0-9_.-]+$", RegexOptions.CultureInvariant);
}

/// <summary>How a multi-style run draws styles: one for the whole batch, or one for each image in it.</summary>
public enum StyleSampling
{
    /// <summary>Each image draws its own style, so every step moves most styles' norm rows a little.</summary>
    Image,
    /// <summary>Dumoulin et al. 2017 train one style per batch: every image of a step sees the same painting.</summary>
    Batch,
}

/// <summary>
/// Which style each image of a batch trains, drawn in proportion to the styles' shares from a stream
/// that is a pure function of (seed, step, image in batch). A resumed run therefore draws the same
/// styles as a straight run with no extra checkpoint state: step and seed are stored already.
/// </summary>
public static class StyleSchedule
{
    /// <summary>The style of each of the <paramref name="count"/> images of step <paramref name="step"/> (1-based).</summary>
    public static int[] ForBatch(int seed, long step, IReadOnlyList<double> shares, int count, StyleSampling sampling)
    {
        if (sampling == StyleSampling.Batch) return Enumerable.Repeat(At(seed, step, shares), count).ToArray();
        // Image i of step s is draw number s*count+i: distinct for every (step, image) of a run.
        return Enumerable.Range(0, count).Select(i => At(seed, step * count + i, shares)).ToArray();
    }

    /// <summary>One draw from the stream: the style of the whole batch at <paramref name="step"/> in batch sampling.</summary>
    public static int At(int seed, long step, IReadOnlyList<double> shares)
    {
        if (shares.Count == 1) return 0;
        ulong z = Mix(seed, step);
        // Equal shares keep the modulo draw that runs made before shares existed, so their resumes draw the same.
        if (shares.All(s => s == shares[0])) return (int)(z % (ulong)shares.Count);
        double u = (z >> 11) * (1.0 / (1UL << 53)) * shares.Sum();
        for (int i = 0; i < shares.Count; i++)
        {
            if (u < shares[i]) return i;
            u -= shares[i];
        }
        return LastWithShare(shares); // u landed on the total through rounding
    }

    /// <summary>The fraction of all draws each style gets.</summary>
    public static double[] Fractions(IReadOnlyList<double> shares) => shares.Select(s => s / shares.Sum()).ToArray();

    /// <summary>Equal shares for <paramref name="styles"/> styles: every style as often as the others.</summary>
    public static double[] Uniform(int styles) => Enumerable.Repeat(StyleSpec.DefaultShare, styles).ToArray();

    static int LastWithShare(IReadOnlyList<double> shares)
    {
        for (int i = shares.Count - 1; i > 0; i--) if (shares[i] > 0) return i;
        return 0;
    }

    /// <summary>SplitMix64 (Steele, Lea, Flood 2014) of the (seed, step) pair: well mixed, fixed forever, unlike System.Random's seeded algorithm.</summary>
    static ulong Mix(int seed, long step)
    {
        ulong z = unchecked(((ulong)(uint)seed << 32 ^ (ulong)step) + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }
}
