using FastStyle.Data.Imaging;

namespace FastStyle.Data.Datasets;

/// <summary>
/// The augmentation of one training image: a random square crop covering 60-100% of the shorter
/// side, resized to the training size, flipped horizontally half the time. Johnson et al. 2016
/// resize whole COCO images to 256x256; random crops show the network more variety per photo,
/// which matters with small datasets like the 529 photos used here.
/// </summary>
internal static class CropSampler
{
    public const double MinCropFraction = 0.6;

    /// <summary>The shorter side an image needs so that even the smallest crop is not enlarged to <paramref name="size"/>.</summary>
    public static int ShorterSideNeeded(int size) => (int)Math.Ceiling(size / MinCropFraction);

    public static RgbImage Sample(RgbImage image, int size, Random random)
    {
        int shorter = Math.Min(image.Width, image.Height);
        double side = shorter * (MinCropFraction + (1 - MinCropFraction) * random.NextDouble());
        double x = (image.Width - side) * random.NextDouble();
        double y = (image.Height - side) * random.NextDouble();
        bool flip = random.NextDouble() < 0.5;
        return ImageResize.ResizeRegion(image, x, y, side, side, size, size, flip);
    }
}
