namespace FastStyle.Data.Imaging;

/// <summary>
/// Image files as <see cref="RgbImage"/>: what a batch job needs to read and write pictures without
/// knowing the decoder. FastStyle.Data implements it with SkiaSharp (<c>SkiaImageCodec</c>);
/// FastStyle.Inference only sees this interface, so it carries no imaging library.
/// </summary>
public interface IImageCodec
{
    /// <summary>Extensions (lower case, with the dot) of the files a folder input is scanned for.</summary>
    IReadOnlyList<string> ReadableExtensions { get; }

    /// <summary>Throws a <see cref="FastStyleError"/> naming <paramref name="path"/> when its extension is not a format the codec writes.</summary>
    void CheckWritable(string path);

    /// <summary>Decodes a file (upright, RGB in [0,1]); <paramref name="longestSide"/> resizes it first, null keeps its size.</summary>
    RgbImage Load(string path, int? longestSide);

    /// <summary>Encodes in the format the extension names, atomically (see <see cref="AtomicFile"/>).</summary>
    void Save(RgbImage image, string path);
}
