namespace FastStyle.Data.Imaging;

/// <summary>
/// An RGB image as float32 planes (CHW: all R, then all G, then all B), values in [0,1].
/// This is the one pixel convention of the project: the loss network, the transformer network
/// and the ONNX model all take and return it, so no caller ever rescales.
/// </summary>
public sealed class RgbImage
{
    public int Width { get; }
    public int Height { get; }
    /// <summary>Length 3*Height*Width, planar CHW.</summary>
    public float[] Pixels { get; }

    public RgbImage(int width, int height, float[] pixels)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"image size {width}x{height} is empty");
        if (pixels.Length != 3L * width * height)
            throw new ArgumentException($"expected {3L * width * height} values for {width}x{height}x3, got {pixels.Length}", nameof(pixels));
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    public RgbImage(int width, int height) : this(width, height, new float[3 * width * height]) { }

    public int PlaneSize => Width * Height;
}
