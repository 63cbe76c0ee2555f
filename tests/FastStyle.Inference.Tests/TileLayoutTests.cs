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

    [Fact]
    public void WeightsOfAnInteriorTileRampFromNearZeroToOneAcrossTheOverlapOnBothSides()
    {
        // A tile of 10 at offset 10 of a 30-pixel axis, overlap 4: pixel i weighs (i + 0.5) / 4 on
        // the left and (10 - i - 0.5) / 4 on the right, capped at 1 (values worked out by hand).
        float[] expected = [0.125f, 0.375f, 0.625f, 0.875f, 1f, 1f, 0.875f, 0.625f, 0.375f, 0.125f];
        Assert.Equal(expected, TileLayout.Weights(start: 10, size: 10, length: 30, overlap: 4));
    }

    [Fact]
    public void WeightsStayFullOnASideWithoutNeighbour()
    {
        Assert.Equal([1f, 1f, 1f, 1f, 0.875f, 0.625f, 0.375f, 0.125f], TileLayout.Weights(start: 0, size: 8, length: 30, overlap: 4));
        Assert.Equal([0.125f, 0.375f, 0.625f, 0.875f, 1f, 1f, 1f, 1f], TileLayout.Weights(start: 22, size: 8, length: 30, overlap: 4));
    }

    [Fact]
    public void InTheOverlapOfTwoTilesTheLeftWeightFallsAsTheRightOneRises()
    {
        // Tiles [0,8) and [4,12) of a 12-pixel axis overlap on pixels 4..7.
        var left = TileLayout.Weights(start: 0, size: 8, length: 12, overlap: 4);
        var right = TileLayout.Weights(start: 4, size: 8, length: 12, overlap: 4);
        for (int x = 4; x < 8; x++)
            Assert.Equal(1f, left[x] + right[x - 4], 6); // each overlap pixel is split between the tiles, left to right
        Assert.True(left[4] > left[7] && right[0] < right[3]);
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
