using System.Buffers.Binary;
using System.Diagnostics;
using FastStyle.Data.Imaging;
using SkiaSharp;

namespace FastStyle.Data.Tests;

public sealed class ImageFileTests : IDisposable
{
    readonly TempDir dir = new();
    public void Dispose() => dir.Dispose();

    // ---- round trips ----

    [Fact]
    public void Png_round_trip_is_exact_for_quantised_values()
    {
        var random = new Random(1);
        var image = new RgbImage(23, 17);
        for (int i = 0; i < image.Pixels.Length; i++) image.Pixels[i] = random.Next(256) / 255f;
        image.Pixels[0] = 0f;
        image.Pixels[1] = 1f;
        string path = dir.File("round.png");

        ImageFile.Save(image, path);
        var loaded = ImageFile.Load(path);

        Assert.Equal(23, loaded.Width);
        Assert.Equal(17, loaded.Height);
        for (int i = 0; i < image.Pixels.Length; i++)
            Assert.True(Math.Abs(image.Pixels[i] - loaded.Pixels[i]) <= 1e-6, $"value {i}: saved {image.Pixels[i]}, loaded {loaded.Pixels[i]}");
        Assert.Equal(new ImageInfo(23, 17, "png"), ImageFile.ReadInfo(path));
    }

    [Fact]
    public void Png_save_rounds_to_nearest_and_clamps_out_of_range_values()
    {
        var image = TestFiles.Make(3, 1, (x, _) => x switch { 0 => (-0.5f, 1.7f, 0.5f), 1 => (0.1f, 0.2f, 0.31f), _ => (2f, -1f, 0.999f) });
        string path = dir.File("clamp.png");
        ImageFile.Save(image, path);
        var loaded = ImageFile.Load(path);
        AssertPixel((0f, 1f, 128 / 255f), TestFiles.Pixel(loaded, 0, 0), 1e-6f);
        var (r, g, b) = TestFiles.Pixel(loaded, 1, 0);
        Assert.Equal(26 / 255f, r, 6);
        Assert.Equal(51 / 255f, g, 6);
        Assert.Equal(79 / 255f, b, 6);
        AssertPixel((1f, 0f, 1f), TestFiles.Pixel(loaded, 2, 0), 1e-6f);
    }

    [Theory]
    [InlineData("smooth.jpg")]
    [InlineData("smooth.JPEG")]
    public void Jpeg_round_trip_is_close_on_a_smooth_image(string name)
    {
        var image = TestFiles.Smooth(64, 48);
        string path = dir.File(name);
        ImageFile.Save(image, path);
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes[0] == 0xFF && bytes[1] == 0xD8, "the .jpg file is not a JPEG");

        var loaded = ImageFile.Load(path);
        Assert.Equal(64, loaded.Width);
        Assert.Equal(48, loaded.Height);
        double diff = TestFiles.MeanAbsDiff(image, loaded);
        Assert.True(diff < 0.02, $"mean abs diff {diff}");
        Assert.Equal("jpeg", ImageFile.ReadInfo(path).Format);
    }

    [Fact]
    public void Webp_writes_and_reads()
    {
        var image = TestFiles.Smooth(40, 30);
        string path = dir.File("image.webp");
        ImageFile.Save(image, path);
        var bytes = File.ReadAllBytes(path);
        Assert.Equal("RIFF"u8.ToArray(), bytes[..4]);
        Assert.Equal("WEBP"u8.ToArray(), bytes[8..12]);

        var loaded = ImageFile.Load(path);
        Assert.Equal(40, loaded.Width);
        Assert.Equal(30, loaded.Height);
        double diff = TestFiles.MeanAbsDiff(image, loaded);
        Assert.True(diff < 0.03, $"mean abs diff {diff}");
        Assert.Equal(new ImageInfo(40, 30, "webp"), ImageFile.ReadInfo(path));
    }

    [Fact]
    public void Save_overwrites_an_existing_file_and_leaves_no_temp_files()
    {
        string path = dir.File("out", "over.png");
        ImageFile.Save(TestFiles.Make(4, 4, (_, _) => (1f, 0f, 0f)), path);
        ImageFile.Save(TestFiles.Make(6, 2, (_, _) => (0f, 0f, 1f)), path);
        var loaded = ImageFile.Load(path);
        Assert.Equal((6, 2), (loaded.Width, loaded.Height));
        Assert.Equal((0f, 0f, 1f), TestFiles.Pixel(loaded, 5, 1));
        Assert.Equal([path], Directory.GetFiles(dir.File("out")));
    }

    [Theory]
    [InlineData("out.gif")]
    [InlineData("out.bmp")]
    [InlineData("out")]
    [InlineData("out.tiff")]
    public void Unsupported_output_extension_is_a_user_error_naming_the_path(string name)
    {
        string path = dir.File(name);
        var e = Assert.Throws<FastStyleError>(() => ImageFile.Save(TestFiles.Smooth(8, 8), path));
        Assert.Contains(path, e.Message);
        Assert.Contains(".png", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.False(File.Exists(path));
        Assert.Empty(Directory.GetFileSystemEntries(dir.Root));
    }

    [Theory]
    [InlineData("a.jpg", true)]
    [InlineData("a.JPEG", true)]
    [InlineData("a.png", true)]
    [InlineData("a.webp", true)]
    [InlineData("a.bmp", true)]
    [InlineData("a.gif", true)]
    [InlineData("a.txt", false)]
    [InlineData("jpg", false)]
    [InlineData("a.jpg.bak", false)]
    public void HasImageExtension(string name, bool expected) => Assert.Equal(expected, ImageFile.HasImageExtension(name));

    // ---- colour conventions ----

    [Fact]
    public void Greyscale_png_loads_as_rgb_with_equal_channels()
    {
        const int w = 16, h = 8;
        var grey = new byte[w * h];
        for (int i = 0; i < grey.Length; i++) grey[i] = (byte)(i * 2);
        string path = dir.File("grey.png");
        TestFiles.WriteSkia(path, w, h, SKColorType.Gray8, SKAlphaType.Opaque, grey, SKEncodedImageFormat.Png);
        // The fixture really is a greyscale PNG: IHDR colour type 0.
        Assert.Equal(0, File.ReadAllBytes(path)[8 + 8 + 9]);

        var image = ImageFile.Load(path);
        Assert.Equal((w, h), (image.Width, image.Height));
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                var (r, g, b) = TestFiles.Pixel(image, x, y);
                Assert.Equal(r, g);
                Assert.Equal(r, b);
                Assert.Equal(grey[y * w + x] / 255f, r, 5);
            }
    }

    [Fact]
    public void Transparent_pixels_are_composited_on_white()
    {
        byte[] rgba =
        [
            255, 0, 0, 0,     // fully transparent red
            255, 0, 0, 128,   // half-transparent red
            0, 0, 255, 255,   // opaque blue
            0, 0, 0, 64,      // quarter-opaque black
        ];
        string path = dir.File("alpha.png");
        TestFiles.WriteSkia(path, 4, 1, SKColorType.Rgba8888, SKAlphaType.Unpremul, rgba, SKEncodedImageFormat.Png);

        var image = ImageFile.Load(path);
        AssertPixel((1f, 1f, 1f), TestFiles.Pixel(image, 0, 0), 1e-5f);
        float a = 128 / 255f;
        AssertPixel((1f, 1f - a, 1f - a), TestFiles.Pixel(image, 1, 0), 1e-5f);
        AssertPixel((0f, 0f, 1f), TestFiles.Pixel(image, 2, 0), 1e-5f);
        float q = 1f - 64 / 255f;
        AssertPixel((q, q, q), TestFiles.Pixel(image, 3, 0), 1e-5f);
    }

    // ---- EXIF orientation ----

    static readonly (float, float, float) Red = (1, 0, 0), Green = (0, 1, 0), Blue = (0, 0, 1), Yellow = (1, 1, 0);

    /// <summary>A 40x20 stored JPEG with quadrants TL red, TR green, BL blue, BR yellow, tagged with an EXIF orientation.</summary>
    string QuadrantJpeg(ushort orientation)
    {
        var stored = TestFiles.Make(40, 20, (x, y) => (x < 20, y < 10) switch
        {
            (true, true) => Red,
            (false, true) => Green,
            (true, false) => Blue,
            _ => Yellow,
        });
        string plain = dir.File($"plain{orientation}.jpg");
        ImageFile.Save(stored, plain);
        string path = dir.File($"exif{orientation}.jpg");
        File.WriteAllBytes(path, TestFiles.WithExifOrientation(File.ReadAllBytes(plain), orientation));
        return path;
    }

    [Fact]
    public void Exif_orientation_6_rotates_90_degrees_clockwise()
    {
        string path = QuadrantJpeg(6);
        var image = ImageFile.Load(path);
        Assert.Equal((20, 40), (image.Width, image.Height));
        // Rotating clockwise: stored top-left goes to the top-right, top-right to bottom-right, etc.
        AssertPixel(Blue, TestFiles.Pixel(image, 2, 2), 0.15f);          // displayed top-left
        AssertPixel(Red, TestFiles.Pixel(image, 17, 2), 0.15f);          // displayed top-right
        AssertPixel(Green, TestFiles.Pixel(image, 17, 37), 0.15f);       // displayed bottom-right
        AssertPixel(Yellow, TestFiles.Pixel(image, 2, 37), 0.15f);       // displayed bottom-left
    }

    [Fact]
    public void ReadInfo_reports_the_displayed_size_after_orientation()
    {
        Assert.Equal(new ImageInfo(20, 40, "jpeg"), ImageFile.ReadInfo(QuadrantJpeg(6)));
        Assert.Equal(new ImageInfo(40, 20, "jpeg"), ImageFile.ReadInfo(QuadrantJpeg(1)));
    }

    [Fact]
    public void Exif_orientation_1_and_3_keep_size_and_3_rotates_180()
    {
        var upright = ImageFile.Load(QuadrantJpeg(1));
        Assert.Equal((40, 20), (upright.Width, upright.Height));
        AssertPixel(Red, TestFiles.Pixel(upright, 2, 2), 0.15f);
        AssertPixel(Yellow, TestFiles.Pixel(upright, 37, 17), 0.15f);

        var rotated = ImageFile.Load(QuadrantJpeg(3));
        Assert.Equal((40, 20), (rotated.Width, rotated.Height));
        AssertPixel(Yellow, TestFiles.Pixel(rotated, 2, 2), 0.15f);
        AssertPixel(Blue, TestFiles.Pixel(rotated, 37, 2), 0.15f);
        AssertPixel(Red, TestFiles.Pixel(rotated, 37, 17), 0.15f);
    }

    [Fact]
    public void Orientation_Apply_matches_the_exif_definitions_on_a_tiny_image()
    {
        // Stored 3x2 image, values = index: row 0 = 0 1 2, row 1 = 3 4 5 (all channels).
        var stored = TestFiles.Make(3, 2, (x, y) => (y * 3 + x, y * 3 + x, y * 3 + x));
        float[] Red(RgbImage i) => i.Pixels[..i.PlaneSize];
        Assert.Same(stored, Orientation.Apply(stored, SKEncodedOrigin.TopLeft));
        Assert.Equal([2f, 1, 0, 5, 4, 3], Red(Orientation.Apply(stored, SKEncodedOrigin.TopRight)));
        Assert.Equal([5f, 4, 3, 2, 1, 0], Red(Orientation.Apply(stored, SKEncodedOrigin.BottomRight)));
        Assert.Equal([3f, 4, 5, 0, 1, 2], Red(Orientation.Apply(stored, SKEncodedOrigin.BottomLeft)));
        // Swapping ones are 2 wide, 3 tall.
        Assert.Equal([0f, 3, 1, 4, 2, 5], Red(Orientation.Apply(stored, SKEncodedOrigin.LeftTop)));      // transpose
        Assert.Equal([3f, 0, 4, 1, 5, 2], Red(Orientation.Apply(stored, SKEncodedOrigin.RightTop)));     // 90 cw
        Assert.Equal([5f, 2, 4, 1, 3, 0], Red(Orientation.Apply(stored, SKEncodedOrigin.RightBottom)));  // transverse
        Assert.Equal([2f, 5, 1, 4, 0, 3], Red(Orientation.Apply(stored, SKEncodedOrigin.LeftBottom)));   // 90 ccw
        var r = Orientation.Apply(stored, SKEncodedOrigin.RightTop);
        Assert.Equal((2, 3), (r.Width, r.Height));
    }

    // ---- malformed input ----

    [Fact]
    public void Decompression_bomb_is_rejected_from_the_header_quickly()
    {
        string path = dir.File("bomb.png");
        byte[] png = TestFiles.PngDeclaring(60000, 60000);
        Assert.True(png.Length < 200, $"fixture is {png.Length} bytes");
        File.WriteAllBytes(path, png);

        // The header alone is readable (so the guard, not the decoder, is what stops it).
        Assert.Equal(new ImageInfo(60000, 60000, "png"), ImageFile.ReadInfo(path));

        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        var e = Assert.Throws<FastStyleError>(() => ImageFile.Load(path));
        watch.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        Assert.Contains("megapixels", e.Message);
        Assert.Contains("3600", e.Message);
        Assert.Contains(path, e.Message);
        Assert.True(watch.ElapsedMilliseconds < 2000, $"took {watch.ElapsedMilliseconds} ms");
        Assert.True(allocated < 10_000_000, $"allocated {allocated} bytes");
    }

    [Fact]
    public void MaxPixels_option_applies_to_the_displayed_size()
    {
        string path = dir.File("small.png");
        ImageFile.Save(TestFiles.Smooth(40, 30), path);
        Assert.Throws<FastStyleError>(() => ImageFile.Load(path, new ImageLoadOptions { MaxPixels = 40 * 30 - 1 }));
        Assert.Equal(40, ImageFile.Load(path, new ImageLoadOptions { MaxPixels = 40 * 30 }).Width);
    }

    [Fact]
    public void Missing_file_is_a_user_error_naming_the_path()
    {
        string path = dir.File("nope.jpg");
        var e = Assert.Throws<FastStyleError>(() => ImageFile.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("not found", e.Message);
        Assert.Contains(path, Assert.Throws<FastStyleError>(() => ImageFile.ReadInfo(path)).Message);
    }

    [Fact]
    public void Folder_instead_of_file_is_a_user_error()
    {
        string path = dir.File("folder.png");
        Directory.CreateDirectory(path);
        var e = Assert.Throws<FastStyleError>(() => ImageFile.Load(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Empty_file_is_a_user_error_naming_the_path()
    {
        string path = dir.File("empty.png");
        File.WriteAllBytes(path, []);
        var e = Assert.Throws<FastStyleError>(() => ImageFile.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("empty", e.Message);
    }

    [Fact]
    public void Text_file_named_jpg_is_a_user_error_naming_the_path()
    {
        string path = dir.File("notes.jpg");
        File.WriteAllText(path, "this is not a picture, just some text pretending to be one\n");
        var e = Assert.Throws<FastStyleError>(() => ImageFile.Load(path));
        Assert.Contains(path, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Contains(path, Assert.Throws<FastStyleError>(() => ImageFile.ReadInfo(path)).Message);
    }

    [Fact]
    public void Truncated_jpeg_is_a_user_error_naming_the_path()
    {
        string full = dir.File("full.jpg");
        ImageFile.Save(TestFiles.Noise(96, 96, 3), full);
        byte[] bytes = File.ReadAllBytes(full);
        string path = dir.File("half.jpg");
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        var e = Assert.Throws<FastStyleError>(() => ImageFile.Load(path));
        Assert.Contains(path, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Png_with_a_bad_crc_is_a_user_error()
    {
        byte[] png = TestFiles.PngDeclaring(4, 4);
        // Control: the same file with its CRC intact loads, so only the CRC makes the difference.
        File.WriteAllBytes(dir.File("intact.png"), png);
        Assert.Equal((4, 4), (ImageFile.Load(dir.File("intact.png")).Width, ImageFile.Load(dir.File("intact.png")).Height));

        string path = dir.File("badcrc.png");
        png[8 + 8 + 13] ^= 0xFF; // corrupt the IHDR CRC
        File.WriteAllBytes(path, png);
        var e = Assert.Throws<FastStyleError>(() => ImageFile.Load(path));
        Assert.Contains(path, e.Message);
    }

    // ---- sizing ----

    [Theory]
    [InlineData(40, 20, 100, 100, 50)]
    [InlineData(40, 20, 10, 10, 5)]
    [InlineData(20, 40, 10, 5, 10)]
    [InlineData(30, 20, 16, 16, 11)]
    [InlineData(30, 20, 30, 30, 20)]
    [InlineData(300, 2, 30, 30, 1)]
    public void LongestSide_resizes_the_longest_side_to_exactly_that_up_or_down_and_keeps_aspect(int w, int h, int longest, int ew, int eh)
    {
        string path = dir.File("sized.png");
        ImageFile.Save(TestFiles.Smooth(w, h), path);
        var image = ImageFile.Load(path, new ImageLoadOptions { LongestSide = longest });
        Assert.Equal((ew, eh), (image.Width, image.Height));
        Assert.Equal(longest, Math.Max(image.Width, image.Height));
    }

    [Fact]
    public void LongestSide_equal_to_the_size_returns_the_decoded_pixels_unchanged()
    {
        var source = TestFiles.Smooth(30, 20);
        string path = dir.File("same.png");
        ImageFile.Save(source, path);
        var original = ImageFile.Load(path);
        var fitted = ImageFile.Load(path, new ImageLoadOptions { LongestSide = 30 });
        Assert.Equal(original.Pixels, fitted.Pixels);
    }

    [Fact]
    public void ExactSize_ignores_aspect_and_wins_over_LongestSide()
    {
        string path = dir.File("exact.png");
        ImageFile.Save(TestFiles.Smooth(40, 20), path);
        var image = ImageFile.Load(path, new ImageLoadOptions { ExactSize = (17, 9), LongestSide = 100 });
        Assert.Equal((17, 9), (image.Width, image.Height));
        Assert.Equal(3 * 17 * 9, image.Pixels.Length);
    }

    [Theory]
    [InlineData(200, 400, 300)]  // 1/4 would leave 150 < 200, so 1/2
    [InlineData(150, 200, 150)]  // 1/4 is enough
    [InlineData(301, 800, 600)]  // 1/2 would leave 300 < 301: decoded in full
    public void DecodeShorterSideAtLeast_shrinks_a_jpeg_by_the_largest_native_factor_that_keeps_the_side(int minimum, int ew, int eh)
    {
        string path = dir.File("big.jpg");
        var source = TestFiles.Smooth(800, 600);
        ImageFile.Save(source, path);
        var image = ImageFile.Load(path, new ImageLoadOptions { DecodeShorterSideAtLeast = minimum });
        Assert.Equal((ew, eh), (image.Width, image.Height));
        // The same picture, only smaller: close to the full decode resized by our own filter.
        Assert.InRange(TestFiles.MeanAbsDiff(ImageResize.Resize(ImageFile.Load(path), ew, eh), image), 0, 0.01);
    }

    [Fact]
    public void DecodeShorterSideAtLeast_applies_before_exif_rotation()
    {
        var image = ImageFile.Load(QuadrantJpeg(6), new ImageLoadOptions { DecodeShorterSideAtLeast = 10 });
        Assert.Equal((10, 20), (image.Width, image.Height));
        AssertPixel(Blue, TestFiles.Pixel(image, 1, 1), 0.2f);   // displayed top-left, as in the full-size decode
        AssertPixel(Green, TestFiles.Pixel(image, 8, 18), 0.2f); // displayed bottom-right
    }

    [Fact]
    public void LongestSide_below_one_is_a_user_error()
        => Assert.Throws<FastStyleError>(() => ImageFile.Fit(TestFiles.Smooth(4, 4), new ImageLoadOptions { LongestSide = 0 }));

    static void AssertPixel((float R, float G, float B) expected, (float R, float G, float B) actual, float tolerance)
    {
        bool ok = Math.Abs(expected.R - actual.R) <= tolerance && Math.Abs(expected.G - actual.G) <= tolerance && Math.Abs(expected.B - actual.B) <= tolerance;
        Assert.True(ok, $"expected {expected}, got {actual} (tolerance {tolerance})");
    }
}
