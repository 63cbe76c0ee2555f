using FastStyle.Inference;

namespace FastStyle.Inference.Tests;

public sealed class TileLayoutTests
{
    [Theory]
    [InlineData(96, 64, 16)]
    [InlineData(1000, 256, 32)]
    [InlineData(257, 256, 32)]
    [InlineData(50, 64, 16)]
    public void TilesCoverTheAxisWithAtLeastTheOverlap(int length, int tile, int overlap)
    {
        var starts = TileLayout.Starts(length, tile, overlap);
        int size = Math.Min(tile, length);
        Assert.Equal(0, starts[0]);
        Assert.Equal(length, starts[^1] + size);
        for (int i = 1; i < starts.Length; i++)
            Assert.True(starts[i - 1] + size - starts[i] >= overlap, $"tiles {i - 1},{i} overlap by less than {overlap}");
    }

    [Theory]
    [InlineData(96, 64, 16)]
    [InlineData(1000, 256, 32)]
    [InlineData(300, 100, 0)]
    public void WeightsArePositiveAndRampLinearly(int length, int tile, int overlap)
    {
        var starts = TileLayout.Starts(length, tile, overlap);
        var total = new double[length];
        foreach (int s in starts)
        {
            var w = TileLayout.Weights(s, Math.Min(tile, length), length, overlap);
            Assert.All(w, v => Assert.InRange(v, 1e-6f, 1f));
            for (int i = 0; i < w.Length; i++) total[s + i] += w[i];
            // Consecutive weights change by at most one ramp step: no hard edge inside a tile.
            for (int i = 1; i < w.Length; i++) Assert.True(Math.Abs(w[i] - w[i - 1]) <= 1.0 / Math.Max(overlap, 1) + 1e-6);
        }
        Assert.All(total, t => Assert.True(t > 0));
        // At the image border the weights are full: border pixels are not attenuated.
        Assert.Equal(1f, TileLayout.Weights(0, Math.Min(tile, length), length, overlap)[0]);
    }
}
