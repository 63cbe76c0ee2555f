using SkiaSharp;

namespace FastStyle.Data.Imaging;

/// <summary>
/// Reads and writes image files (JPEG, PNG, WebP, BMP, GIF in; JPEG, PNG, WebP out) as
/// <see cref="RgbImage"/>. Conventions, in one place:
/// - EXIF orientation is applied, so the image is upright as a viewer shows it.
/// - Greyscale is expanded to RGB; CMYK JPEGs are converted by the decoder.
/// - Transparent pixels are composited on white (what a viewer shows for most logos and
///   scans; dropping alpha would expose arbitrary colours hidden under transparent pixels).
/// - Output format follows the extension; writes are atomic (<see cref="AtomicFile"/>).
/// </summary>
public static class ImageFile
{
    public const int JpegQuality = 95;
    /// <summary>Extensions (lower case) of the files read from folders.</summary>
    public static IReadOnlyList<string> ReadableExtensions { get; } = [".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif"];

    public static bool HasImageExtension(string path)
        => ReadableExtensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    public static ImageInfo ReadInfo(string path)
    {
        using var codec = OpenCodec(path, out _);
        var (w, h) = OrientedSize(codec);
        return new ImageInfo(w, h, codec.EncodedFormat.ToString().ToLowerInvariant());
    }

    public static RgbImage Load(string path, ImageLoadOptions? options = null)
    {
        options ??= ImageLoadOptions.Original;
        using var codec = OpenCodec(path, out _);
        var (w, h) = OrientedSize(codec);
        if ((long)w * h > options.MaxPixels)
            throw new FastStyleError($"image '{path}': {w}x{h} is {(double)w * h / 1e6:F0} megapixels, over the limit of {options.MaxPixels / 1e6:F0} (decompression-bomb guard); downscale it first");
        if (options.LongestSide is int size && size > (long)Math.Max(w, h) * ImageLoadOptions.MaxUpscale)
            throw new FastStyleError($"image '{path}': {w}x{h} would be enlarged {(double)size / Math.Max(w, h):F0}x to a longest side of {size} px (limit {ImageLoadOptions.MaxUpscale}x); use a smaller size");
        var image = Orientation.Apply(Decode(codec, path, options.DecodeShorterSideAtLeast), codec.EncodedOrigin);
        return Fit(image, options);
    }

    /// <summary>Applies the size options to an already decoded image.</summary>
    public static RgbImage Fit(RgbImage image, ImageLoadOptions options)
    {
        if (options.ExactSize is var (ew, eh))
            return ew == image.Width && eh == image.Height ? image : ImageResize.Resize(image, ew, eh);
        if (options.LongestSide is int size)
        {
            if (size < 1) throw new FastStyleError($"image size {size} must be at least 1 pixel");
            var (w, h) = ImageResize.LongestSide(image.Width, image.Height, size);
            return w == image.Width && h == image.Height ? image : ImageResize.Resize(image, w, h);
        }
        return image;
    }

    public static void Save(RgbImage image, string path, int jpegQuality = JpegQuality)
    {
        using var bitmap = ToBitmap(image);
        Save(bitmap, path, jpegQuality);
    }

    /// <summary>Encodes a drawn bitmap (a report grid, a plot) in the format its extension names, atomically.</summary>
    public static void Save(SKBitmap bitmap, string path, int jpegQuality = JpegQuality)
    {
        var format = OutputFormat(path);
        using var pixmap = bitmap.PeekPixels();
        AtomicFile.Write(path, stream =>
        {
            using var data = pixmap.Encode(format, format == SKEncodedImageFormat.Png ? 100 : jpegQuality)
                ?? throw new FastStyleError($"output '{path}': the {format} encoder failed");
            data.SaveTo(stream);
        });
    }

    /// <summary>The output format for a path, or a user error for an extension we cannot write.</summary>
    public static SKEncodedImageFormat OutputFormat(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".png" => SKEncodedImageFormat.Png,
        ".jpg" or ".jpeg" => SKEncodedImageFormat.Jpeg,
        ".webp" => SKEncodedImageFormat.Webp,
        var ext => throw new FastStyleError($"output '{path}': cannot write '{(ext == "" ? "(no extension)" : ext)}' images; use .png, .jpg or .webp"),
    };

    static SKCodec OpenCodec(string path, out SKCodecResult result)
    {
        if (Directory.Exists(path)) throw new FastStyleError($"image '{path}': is a folder, expected an image file");
        if (!File.Exists(path)) throw new FastStyleError($"image '{path}': file not found");
        if (new FileInfo(path).Length == 0) throw new FastStyleError($"image '{path}': file is empty");
        // SKCodec reads only the header here: dimensions are known before any pixel is decoded.
        var codec = SKCodec.Create(path, out result);
        if (codec == null && !HasImageSignature(path))
            throw new FastStyleError($"image '{path}': not an image file (its content starts with no JPEG, PNG, WebP, BMP or GIF signature)");
        if (codec == null)
            throw new FastStyleError($"image '{path}': not a readable image ({Describe(result)}); supported: JPEG, PNG, WebP, BMP, GIF");
        if (codec.Info.Width <= 0 || codec.Info.Height <= 0)
        {
            codec.Dispose();
            throw new FastStyleError($"image '{path}': has zero size");
        }
        return codec;
    }

    /// <summary>
    /// Whether the file starts like one of the formats we read. Skia reports any short unknown file
    /// (a text file renamed .jpg) as "incomplete input", which would misleadingly say "truncated".
    /// </summary>
    static bool HasImageSignature(string path)
    {
        var head = new byte[12];
        int n;
        using (var stream = File.OpenRead(path)) n = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        var h = head.AsSpan(0, n);
        return h.StartsWith((byte[])[0xFF, 0xD8, 0xFF])                                   // JPEG SOI
            || h.StartsWith((byte[])[0x89, (byte)'P', (byte)'N', (byte)'G'])               // PNG
            || h.StartsWith("GIF8"u8) || h.StartsWith("BM"u8)                              // GIF, BMP
            || (h.StartsWith("RIFF"u8) && n >= 12 && h[8..12].SequenceEqual("WEBP"u8));   // WebP
    }

    static string Describe(SKCodecResult result) => result switch
    {
        SKCodecResult.Unimplemented => "unsupported format",
        SKCodecResult.IncompleteInput => "truncated file",
        SKCodecResult.InvalidInput or SKCodecResult.ErrorInInput => "corrupt data",
        _ => "unrecognised format",
    };

    static (int Width, int Height) OrientedSize(SKCodec codec)
        => Orientation.SwapsAxes(codec.EncodedOrigin) ? (codec.Info.Height, codec.Info.Width) : (codec.Info.Width, codec.Info.Height);

    static RgbImage Decode(SKCodec codec, string path, int? shorterSideAtLeast)
    {
        var size = DecodeSize(codec, shorterSideAtLeast);
        var info = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(info);
        var result = codec.GetPixels(info, bitmap.GetPixels());
        // A truncated JPEG still decodes its first rows (the rest grey): treat it as corrupt rather than train on it.
        if (result != SKCodecResult.Success)
            throw new FastStyleError($"image '{path}': cannot decode ({Describe(result)})");
        return FromRgba(bitmap.GetPixelSpan(), info.Width, info.Height, codec.Info.AlphaType == SKAlphaType.Opaque);
    }

    /// <summary>The smallest size the codec decodes to natively whose shorter side is still at least the given one.</summary>
    static SKSizeI DecodeSize(SKCodec codec, int? shorterSideAtLeast)
    {
        var full = codec.Info.Size;
        if (shorterSideAtLeast is not int minimum) return full;
        foreach (float scale in (float[])[0.125f, 0.25f, 0.5f])
        {
            var scaled = codec.GetScaledDimensions(scale);
            if (scaled.Width < full.Width && Math.Min(scaled.Width, scaled.Height) >= minimum) return scaled;
        }
        return full;
    }

    static RgbImage FromRgba(ReadOnlySpan<byte> rgba, int width, int height, bool opaque)
    {
        var image = new RgbImage(width, height);
        var p = image.Pixels;
        int plane = image.PlaneSize;
        const float scale = 1f / 255f;
        if (opaque)
        {
            for (int i = 0; i < plane; i++)
            {
                p[i] = rgba[4 * i] * scale;
                p[plane + i] = rgba[4 * i + 1] * scale;
                p[2 * plane + i] = rgba[4 * i + 2] * scale;
            }
            return image;
        }
        for (int i = 0; i < plane; i++)
        {
            float a = rgba[4 * i + 3] * scale;
            float white = 1f - a;
            p[i] = rgba[4 * i] * scale * a + white;
            p[plane + i] = rgba[4 * i + 1] * scale * a + white;
            p[2 * plane + i] = rgba[4 * i + 2] * scale * a + white;
        }
        return image;
    }

    /// <summary>An opaque RGBA8888 Skia bitmap of the image (values clamped and rounded to 0..255); the caller disposes it.</summary>
    public static SKBitmap ToBitmap(RgbImage image)
    {
        var bitmap = new SKBitmap(new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        unsafe
        {
            byte* dst = (byte*)bitmap.GetPixels();
            var p = image.Pixels;
            int plane = image.PlaneSize;
            for (int i = 0; i < plane; i++)
            {
                dst[4 * i] = ToByte(p[i]);
                dst[4 * i + 1] = ToByte(p[plane + i]);
                dst[4 * i + 2] = ToByte(p[2 * plane + i]);
                dst[4 * i + 3] = 255;
            }
        }
        return bitmap;
    }

    static byte ToByte(float v) => (byte)Math.Clamp((int)MathF.Round(v * 255f), 0, 255);
}
