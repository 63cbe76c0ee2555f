using FastStyle.Data.Imaging;

namespace FastStyle.Training.Evaluation;

/// <summary>
/// The sizing rule shared by evaluate and compare, so a loss is always measured at one resolution:
/// the content image is scaled to <c>size</c> (longest side), the stylised image to exactly the
/// content's resulting width and height, and the style image to its own longest side (by default
/// <c>size</c>, the same default as `optimize --style-size`). VGG's 3x3 receptive fields cover a
/// different share of a 256 px and a 1024 px image, so features and Gram matrices change with
/// scale: losses of images at different resolutions are not comparable numbers.
/// </summary>
internal static class EvaluationImages
{
    public static RgbImage LoadContent(string path, int size) => ImageFile.Load(path, new ImageLoadOptions { LongestSide = size });

    public static RgbImage LoadStyle(string path, int size) => ImageFile.Load(path, new ImageLoadOptions { LongestSide = size });

    /// <summary>A stylised image resampled to the content's size (any aspect difference is stretched, not cropped: no pixel is dropped).</summary>
    public static RgbImage LoadMatching(string path, RgbImage content)
        => ImageFile.Load(path, new ImageLoadOptions { ExactSize = (content.Width, content.Height) });
}
