using System.Numerics;

namespace FastStyle.Data.Imaging;

/// <summary>
/// High-quality separable resampling of <see cref="RgbImage"/> in float: Lanczos-3 for upsizing,
/// and a Lanczos-3 kernel stretched by the scale factor for downsizing so every source pixel
/// contributes (no aliasing, unlike point-sampled bilinear). Results are clamped to [0,1].
/// Deterministic and thread-safe, so dataset workers can use it in parallel.
/// </summary>
public static class ImageResize
{
    const double Radius = 3.0;

    /// <summary>The size with the longest side equal to <paramref name="longest"/>, aspect ratio kept.</summary>
    public static (int Width, int Height) LongestSide(int width, int height, int longest)
    {
        double scale = (double)longest / Math.Max(width, height);
        return (Math.Max(1, (int)Math.Round(width * scale)), Math.Max(1, (int)Math.Round(height * scale)));
    }

    public static RgbImage Resize(RgbImage source, int width, int height)
        => ResizeRegion(source, 0, 0, source.Width, source.Height, width, height);

    /// <summary>Resamples the source rectangle (x, y, w, h in source pixels, may be fractional) to width x height.</summary>
    public static RgbImage ResizeRegion(RgbImage source, double x, double y, double w, double h, int width, int height, bool flipHorizontal = false)
    {
        if (width < 1 || height < 1) throw new ArgumentOutOfRangeException(nameof(width), $"target size {width}x{height} is empty");
        var columns = Weights(source.Width, x, w, width);
        var rows = Weights(source.Height, y, h, height);
        var result = new RgbImage(width, height);
        // Only the source rows the vertical kernels reach: a training crop uses part of the photo.
        int firstRow = rows.Min(k => k.First), endRow = rows.Max(k => k.First + k.Weights.Length);
        var temp = new float[(endRow - firstRow) * width];
        for (int c = 0; c < 3; c++)
        {
            var src = source.Pixels.AsSpan(c * source.PlaneSize, source.PlaneSize);
            // Horizontal pass: each of those source rows to `width` columns.
            for (int sy = firstRow; sy < endRow; sy++)
            {
                var row = src.Slice(sy * source.Width, source.Width);
                var tempRow = temp.AsSpan((sy - firstRow) * width, width);
                for (int ox = 0; ox < width; ox++)
                {
                    var k = columns[flipHorizontal ? width - 1 - ox : ox];
                    tempRow[ox] = Dot(k.Weights, row.Slice(k.First, k.Weights.Length));
                }
            }
            // Vertical pass.
            var dst = result.Pixels.AsSpan(c * result.PlaneSize, result.PlaneSize);
            for (int oy = 0; oy < height; oy++)
            {
                var k = rows[oy];
                var outRow = dst.Slice(oy * width, width);
                outRow.Clear();
                for (int t = 0; t < k.Weights.Length; t++)
                {
                    float weight = k.Weights[t];
                    var inRow = temp.AsSpan((k.First + t - firstRow) * width, width);
                    AddScaled(outRow, inRow, weight);
                }
                ClampToUnit(outRow);
            }
        }
        return result;
    }

    readonly record struct Kernel(int First, float[] Weights);

    // Data loading runs beside training on the same cores, so these loops are SIMD (issue 10).
    static float Dot(ReadOnlySpan<float> weights, ReadOnlySpan<float> values)
    {
        int n = Vector<float>.Count, t = 0;
        var acc = Vector<float>.Zero;
        for (; t <= weights.Length - n; t += n) acc += new Vector<float>(weights[t..]) * new Vector<float>(values[t..]);
        float sum = Vector.Sum(acc);
        for (; t < weights.Length; t++) sum += weights[t] * values[t];
        return sum;
    }

    static void AddScaled(Span<float> sum, ReadOnlySpan<float> values, float weight)
    {
        int n = Vector<float>.Count, i = 0;
        for (; i <= sum.Length - n; i += n) (new Vector<float>(sum[i..]) + new Vector<float>(values[i..]) * weight).CopyTo(sum[i..]);
        for (; i < sum.Length; i++) sum[i] += weight * values[i];
    }

    static void ClampToUnit(Span<float> values)
    {
        int n = Vector<float>.Count, i = 0;
        for (; i <= values.Length - n; i += n) Vector.Min(Vector.Max(new Vector<float>(values[i..]), Vector<float>.Zero), Vector<float>.One).CopyTo(values[i..]);
        for (; i < values.Length; i++) values[i] = Math.Clamp(values[i], 0f, 1f);
    }

    static Kernel[] Weights(int sourceLength, double start, double length, int outLength)
    {
        double scale = length / outLength;
        double support = Radius * Math.Max(scale, 1.0);
        double stretch = Math.Max(scale, 1.0);
        var kernels = new Kernel[outLength];
        for (int i = 0; i < outLength; i++)
        {
            double center = start + (i + 0.5) * scale;
            int first = Math.Max(0, (int)Math.Floor(center - support));
            int last = Math.Min(sourceLength - 1, (int)Math.Ceiling(center + support));
            var weights = new double[last - first + 1];
            double total = 0;
            for (int s = first; s <= last; s++)
            {
                double wgt = Lanczos((s + 0.5 - center) / stretch);
                weights[s - first] = wgt;
                total += wgt;
            }
            if (total == 0) { weights = [1]; first = Math.Clamp((int)center, 0, sourceLength - 1); total = 1; }
            kernels[i] = new Kernel(first, weights.Select(v => (float)(v / total)).ToArray());
        }
        return kernels;
    }

    static double Lanczos(double x)
    {
        x = Math.Abs(x);
        if (x < 1e-9) return 1;
        if (x >= Radius) return 0;
        double px = Math.PI * x;
        return Radius * Math.Sin(px) * Math.Sin(px / Radius) / (px * px);
    }
}
