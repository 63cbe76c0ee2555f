using FastStyle.Data.Imaging;

namespace FastStyle.Data.Tests;

public sealed class ImageResizeTests
{
    [Theory]
    [InlineData(11, 7)]
    [InlineData(80, 50)]
    [InlineData(37, 1)]
    [InlineData(1, 1)]
    public void Constant_image_stays_constant(int width, int height)
    {
        var source = TestFiles.Make(37, 23, (_, _) => (0.3f, 0.6f, 0.9f));
        var result = ImageResize.Resize(source, width, height);
        Assert.Equal((width, height), (result.Width, result.Height));
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                var (r, g, b) = TestFiles.Pixel(result, x, y);
                Assert.Equal(0.3f, r, 1e-5f);
                Assert.Equal(0.6f, g, 1e-5f);
                Assert.Equal(0.9f, b, 1e-5f);
            }
    }

    [Fact]
    public void Downscaling_a_checkerboard_averages_it_to_grey()
    {
        // A one-pixel checkerboard: point sampling would give pure 0 or 1; an antialiasing filter gives ~0.5.
        var board = TestFiles.Make(64, 64, (x, y) => ((x + y) % 2 == 0 ? (1f, 1f, 1f) : (0f, 0f, 0f)));
        var small = ImageResize.Resize(board, 16, 16);
        double sum = 0;
        foreach (float v in small.Pixels)
        {
            Assert.InRange(v, 0.4f, 0.6f);
            sum += v;
        }
        Assert.Equal(0.5, sum / small.Pixels.Length, 0.02);
    }

    [Fact]
    public void Downscaling_by_an_odd_factor_also_averages_a_checkerboard()
    {
        var board = TestFiles.Make(63, 45, (x, y) => ((x + y) % 2 == 0 ? (1f, 0f, 1f) : (0f, 1f, 0f)));
        var small = ImageResize.Resize(board, 9, 5);
        foreach (float v in small.Pixels) Assert.InRange(v, 0.3f, 0.7f);
    }

    [Fact]
    public void Upscaling_keeps_values_in_range_and_preserves_a_step_far_from_the_edge()
    {
        // Lanczos overshoots at a hard edge; results must still be clamped to [0,1].
        var step = TestFiles.Make(10, 4, (x, _) => (x < 5 ? (0f, 0f, 0f) : (1f, 1f, 1f)));
        var big = ImageResize.Resize(step, 40, 16);
        Assert.All(big.Pixels, v => Assert.InRange(v, 0f, 1f));
        Assert.Equal(0f, TestFiles.Pixel(big, 2, 8).R, 1e-3f);
        Assert.Equal(1f, TestFiles.Pixel(big, 37, 8).R, 1e-3f);
    }

    [Fact]
    public void Same_size_resize_is_identity()
    {
        var source = TestFiles.Noise(13, 9, 5);
        var same = ImageResize.Resize(source, 13, 9);
        for (int i = 0; i < source.Pixels.Length; i++) Assert.Equal(source.Pixels[i], same.Pixels[i], 1e-5f);
    }

    [Fact]
    public void ResizeRegion_samples_the_rows_of_its_region()
    {
        // A vertical ramp: the normalised, symmetric filter reproduces a linear ramp exactly away from the
        // edges, so each output row shows the source value at its centre, wherever the region lies.
        var ramp = TestFiles.Make(40, 200, (_, y) => (y / 200f, y / 200f, y / 200f));
        var crop = ImageResize.ResizeRegion(ramp, 5, 120, 30, 30, 10, 10);
        for (int oy = 0; oy < 10; oy++)
        {
            double centre = 120 + (oy + 0.5) * 3;
            Assert.Equal((centre - 0.5) / 200, TestFiles.Pixel(crop, 4, oy).G, 1e-4);
        }
    }

    [Fact]
    public void ResizeRegion_crops_and_flips()
    {
        // Left half red, right half blue.
        var source = TestFiles.Make(40, 20, (x, _) => (x < 20 ? (1f, 0f, 0f) : (0f, 0f, 1f)));
        // The 2x downscale kernel reaches 6 source pixels around each centre, so stay that far from the red half.
        var right = ImageResize.ResizeRegion(source, 27, 2, 12, 12, 6, 6);
        Assert.All(right.Pixels[..right.PlaneSize], v => Assert.Equal(0f, v, 1e-5f));
        Assert.All(right.Pixels[(2 * right.PlaneSize)..], v => Assert.Equal(1f, v, 1e-5f));

        // A full-width crop flipped: the left output column shows blue.
        var flipped = ImageResize.ResizeRegion(source, 0, 0, 40, 20, 20, 10, flipHorizontal: true);
        var unflipped = ImageResize.ResizeRegion(source, 0, 0, 40, 20, 20, 10);
        Assert.Equal((0f, 0f, 1f), Round(TestFiles.Pixel(flipped, 0, 5)));
        Assert.Equal((1f, 0f, 0f), Round(TestFiles.Pixel(unflipped, 0, 5)));
        for (int y = 0; y < 10; y++)
            for (int x = 0; x < 20; x++)
                Assert.Equal(TestFiles.Pixel(unflipped, 19 - x, y), TestFiles.Pixel(flipped, x, y));
    }

    [Theory]
    [InlineData(0, 5)]
    [InlineData(5, 0)]
    public void Empty_target_size_is_rejected(int w, int h)
        => Assert.Throws<ArgumentOutOfRangeException>(() => ImageResize.Resize(TestFiles.Smooth(4, 4), w, h));

    [Theory]
    [InlineData(1000, 10, 100, 100, 1)]
    [InlineData(10, 1000, 100, 1, 100)]
    [InlineData(1920, 1080, 512, 512, 288)]
    [InlineData(7, 7, 3, 3, 3)]
    public void LongestSide(int w, int h, int longest, int ew, int eh)
        => Assert.Equal((ew, eh), ImageResize.LongestSide(w, h, longest));

    static (float, float, float) Round((float R, float G, float B) p) => (MathF.Round(p.R, 3), MathF.Round(p.G, 3), MathF.Round(p.B, 3));
}
