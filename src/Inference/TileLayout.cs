namespace FastStyle.Inference;

/// <summary>
/// Splits one image axis into overlapping tiles and gives each tile a per-pixel blend weight.
/// Weights ramp linearly from ~0 to 1 across <c>overlap</c> pixels on every side that has a
/// neighbour (and stay 1 at the image border); the stitched value is the weight-normalised sum,
/// so weights form a partition of unity and the result is continuous across tile borders.
/// The ramp also discounts each tile's own edge pixels, which see reflection padding instead of
/// real context. Tiles still differ slightly because instance norm uses per-tile statistics
/// (Ulyanov et al. 2016); the ramps spread that difference over the overlap instead of a hard seam.
/// </summary>
internal static class TileLayout
{
    /// <summary>Tile start offsets along an axis of <paramref name="length"/>; every tile has size min(tile, length).</summary>
    public static int[] Starts(int length, int tile, int overlap)
    {
        if (length <= tile) return [0];
        int stride = tile - overlap;
        int count = (length - overlap + stride - 1) / stride; // ceil((length - overlap) / stride)
        if (count < 2) count = 2;
        // Spread the tiles evenly: consecutive tiles then overlap by at least `overlap`.
        var starts = new int[count];
        for (int i = 0; i < count; i++)
            starts[i] = (int)Math.Round((double)i * (length - tile) / (count - 1));
        return starts;
    }

    /// <summary>Blend weights for the pixels of one tile along one axis.</summary>
    public static float[] Weights(int start, int size, int length, int overlap)
    {
        var w = new float[size];
        for (int i = 0; i < size; i++)
        {
            float v = 1f;
            if (overlap > 0)
            {
                if (start > 0) v = Math.Min(v, (i + 0.5f) / overlap);
                if (start + size < length) v = Math.Min(v, (size - i - 0.5f) / overlap);
            }
            w[i] = v;
        }
        return w;
    }
}
