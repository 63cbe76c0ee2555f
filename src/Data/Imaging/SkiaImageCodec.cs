namespace FastStyle.Data.Imaging;

/// <summary><see cref="IImageCodec"/> on <see cref="ImageFile"/> (SkiaSharp): what `faststyle stylize` reads and writes with.</summary>
public sealed class SkiaImageCodec : IImageCodec
{
    public static SkiaImageCodec Instance { get; } = new();

    public IReadOnlyList<string> ReadableExtensions => ImageFile.ReadableExtensions;

    public void CheckWritable(string path) => ImageFile.OutputFormat(path);

    public RgbImage Load(string path, int? longestSide) => ImageFile.Load(path, new ImageLoadOptions { LongestSide = longestSide });

    public void Save(RgbImage image, string path) => ImageFile.Save(image, path);
}
