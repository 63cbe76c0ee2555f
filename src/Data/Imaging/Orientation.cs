using SkiaSharp;

namespace FastStyle.Data.Imaging;

/// <summary>
/// Applies an EXIF orientation (TIFF/EXIF tag 274) so pixels come out upright: phone cameras
/// store the sensor's pixels and only record the rotation in the header.
/// </summary>
internal static class Orientation
{
    public static bool SwapsAxes(SKEncodedOrigin origin)
        => origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;

    public static RgbImage Apply(RgbImage source, SKEncodedOrigin origin)
    {
        if (origin == SKEncodedOrigin.TopLeft) return source;
        int w = source.Width, h = source.Height;
        bool swap = SwapsAxes(origin);
        int outW = swap ? h : w, outH = swap ? w : h;
        var result = new RgbImage(outW, outH);
        int srcPlane = w * h;
        for (int y = 0; y < outH; y++)
            for (int x = 0; x < outW; x++)
            {
                // For each displayed pixel, the stored pixel it comes from.
                var (sx, sy) = origin switch
                {
                    SKEncodedOrigin.TopRight => (w - 1 - x, y),
                    SKEncodedOrigin.BottomRight => (w - 1 - x, h - 1 - y),
                    SKEncodedOrigin.BottomLeft => (x, h - 1 - y),
                    SKEncodedOrigin.LeftTop => (y, x),
                    SKEncodedOrigin.RightTop => (y, h - 1 - x),
                    SKEncodedOrigin.RightBottom => (w - 1 - y, h - 1 - x),
                    SKEncodedOrigin.LeftBottom => (w - 1 - y, x),
                    _ => (x, y),
                };
                int src = sy * w + sx, dst = y * outW + x;
                for (int c = 0; c < 3; c++) result.Pixels[c * outW * outH + dst] = source.Pixels[c * srcPlane + src];
            }
        return result;
    }
}
