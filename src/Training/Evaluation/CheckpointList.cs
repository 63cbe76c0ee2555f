using System.Globalization;
using FastStyle.Data;

namespace FastStyle.Training.Evaluation;

/// <summary>The Gatys iterations at which `compare` saves and scores an image ("50,100,300,500").</summary>
public static class CheckpointList
{
    public static IReadOnlyList<int> Default { get; } = [50, 100, 300, 500];

    /// <summary>Comma-separated positive integers, returned sorted and without duplicates.</summary>
    public static IReadOnlyList<int> Parse(string text, string option = "--iterations")
    {
        var values = new SortedSet<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < 1)
                throw new FastStyleError($"{option} '{text}': '{part}' is not a positive integer (expected e.g. 50,100,300,500)");
            values.Add(value);
        }
        return values.ToList();
    }

    /// <summary>
    /// The snapshot interval that hits every checkpoint: their greatest common divisor.
    /// <see cref="Optimization.GatysOptimizer"/> snapshots every N iterations; the caller keeps
    /// only the checkpoint ones, so no change to the optimiser is needed.
    /// </summary>
    public static int SnapshotInterval(IReadOnlyList<int> checkpoints)
    {
        int g = 0;
        foreach (int c in checkpoints) g = Gcd(g, c);
        return Math.Max(g, 1);

        static int Gcd(int a, int b) => b == 0 ? a : Gcd(b, a % b);
    }
}
