namespace FastStyle.Data.Imaging;

/// <summary>How <see cref="ImageFile.Load"/> sizes an image after decoding.</summary>
public sealed record ImageLoadOptions
{
    /// <summary>Default pixel budget: 64 megapixels (8192x8192) as float RGB is 768 MB.</summary>
    public const long DefaultMaxPixels = 64L * 1024 * 1024;
    /// <summary>Largest longest side a size option may ask for: the side of a square at <see cref="DefaultMaxPixels"/>.</summary>
    public const int MaxSide = 8192;
    /// <summary>
    /// <see cref="LongestSide"/> may enlarge an image at most this much per side: beyond it a resize
    /// invents nearly all pixels (a 128x96 photo at 9000 px is 61 megapixels of interpolation) and
    /// is almost always a mistyped size.
    /// </summary>
    public const int MaxUpscale = 16;

    /// <summary>Resize so the longest side is exactly this many pixels (up or down), keeping the aspect ratio.</summary>
    public int? LongestSide { get; init; }
    /// <summary>Resize to exactly this width and height (ignores the aspect ratio); wins over <see cref="LongestSide"/>.</summary>
    public (int Width, int Height)? ExactSize { get; init; }
    /// <summary>
    /// Files whose header declares more pixels than this are rejected before decoding: a few-KB
    /// PNG can declare 50000x50000 pixels and take 10 GB to decode (a decompression bomb).
    /// </summary>
    public long MaxPixels { get; init; } = DefaultMaxPixels;
    /// <summary>
    /// Lets the decoder shrink the image by a factor it supports natively (JPEG: 1/2, 1/4, 1/8 by
    /// DCT scaling, cheaper than a full decode and a resize) while its shorter side stays at least
    /// this. For callers that resize down anyway, such as training crops; the loaded image is then smaller.
    /// </summary>
    public int? DecodeShorterSideAtLeast { get; init; }

    public static ImageLoadOptions Original { get; } = new();
}
