using FastStyle.Data;
using FastStyle.Data.Imaging;
using FastStyle.Inference;
using Xunit.Abstractions;

namespace FastStyle.Inference.Tests;

/// <summary>One small exported model shared by the tests of this class (export + session once).</summary>
public sealed class StylizerFixture : IDisposable
{
    public TransformerArchitecture Arch { get; } = new(4, 1, UpsampleMode.Nearest);
    readonly TempFolder dir = new();
    public Stylizer Stylizer { get; }

    public StylizerFixture()
    {
        string path = dir.File("model.onnx");
        TransformerOnnxExporter.Write(path, Arch, TestModels.RandomWeights(Arch, seed: 21), TestModels.Metadata(Arch));
        Stylizer = Stylizer.Load(path, TestModels.Options);
    }

    public void Dispose()
    {
        Stylizer.Dispose();
        dir.Dispose();
    }
}

public sealed class StylizerTests(StylizerFixture fixture, ITestOutputHelper output) : IClassFixture<StylizerFixture>
{
    Stylizer S => fixture.Stylizer;

    [Fact]
    public void LoadExposesTheMetadata() => Assert.Equal(fixture.Arch, S.Metadata.Architecture);

    [Theory]
    [InlineData(13, 10)]
    [InlineData(5, 7)]
    [InlineData(33, 18)]
    public void OutputHasTheInputSize(int width, int height)
    {
        var result = S.Stylize(TestModels.SmoothImage(width, height, 1), StyleSettings.Default);
        Assert.Equal((width, height), (result.Width, result.Height));
        Assert.All(result.Pixels, v => Assert.InRange(v, 0f, 1f));
    }

    [Fact]
    public void TooSmallImageIsAUserError()
        => Assert.Throws<FastStyleError>(() => S.Stylize(new RgbImage(4, 9), StyleSettings.Default));

    [Fact]
    public void StrengthZeroReturnsTheContentExactly()
    {
        var content = TestModels.SmoothImage(20, 12, 2);
        var result = S.Stylize(content, StyleSettings.Default with { Strength = 0 });
        Assert.Equal(content.Pixels, result.Pixels);
        Assert.NotSame(content.Pixels, result.Pixels);
    }

    [Fact]
    public void StrengthBlendsLinearly()
    {
        var content = TestModels.SmoothImage(20, 12, 3);
        var full = S.Stylize(content, StyleSettings.Default).Pixels;
        var half = S.Stylize(content, StyleSettings.Default with { Strength = 0.25f }).Pixels;
        for (int i = 0; i < full.Length; i++)
            Assert.Equal(content.Pixels[i] + 0.25f * (full[i] - content.Pixels[i]), half[i], 1e-6f);
    }

    [Fact]
    public void PreserveColorKeepsContentChromaAndStylisedLuminance()
    {
        var content = TestModels.SmoothImage(24, 16, 4);
        var stylized = S.Stylize(content, StyleSettings.Default).Pixels;
        var kept = S.Stylize(content, StyleSettings.Default with { PreserveColor = true }).Pixels;
        int n = content.PlaneSize, unclipped = 0;
        double maxChroma = 0, maxLuma = 0, stylisedChromaChange = 0;
        for (int i = 0; i < n; i++)
        {
            var c = Yiq(content.Pixels, i, n);
            var o = Yiq(kept, i, n);
            var s = Yiq(stylized, i, n);
            stylisedChromaChange = Math.Max(stylisedChromaChange, Math.Abs(s.I - c.I) + Math.Abs(s.Q - c.Q));
            if (kept[i] is <= 0 or >= 1 || kept[n + i] is <= 0 or >= 1 || kept[2 * n + i] is <= 0 or >= 1) continue;
            unclipped++;
            maxChroma = Math.Max(maxChroma, Math.Max(Math.Abs(o.I - c.I), Math.Abs(o.Q - c.Q)));
            maxLuma = Math.Max(maxLuma, Math.Abs(o.Y - s.Y));
        }
        output.WriteLine($"unclipped {unclipped}/{n}; max chroma diff {maxChroma:E2}; max luma diff {maxLuma:E2}; stylised chroma change {stylisedChromaChange:F3}");
        Assert.True(unclipped > 0.9 * n);
        Assert.True(stylisedChromaChange > 0.05, "the test network must change colours for this test to mean anything");
        Assert.True(maxChroma < 1e-5);
        Assert.True(maxLuma < 1e-5);
    }

    // YIQ (NTSC), the space used by Gatys et al. for luminance-only transfer.
    static (double Y, double I, double Q) Yiq(float[] p, int i, int n)
    {
        double r = p[i], g = p[n + i], b = p[2 * n + i];
        return (0.299 * r + 0.587 * g + 0.114 * b, 0.596 * r - 0.274 * g - 0.322 * b, 0.211 * r - 0.523 * g + 0.312 * b);
    }

    /// <summary>
    /// Tiles run instance norm on their own statistics, so a tiled result differs from the
    /// untiled one everywhere, not just at seams (measured: mean abs diff 0.051 for this random
    /// network, evenly spread over the image; 0.073 with 48 px tiles, 0.034 with 80 px). What
    /// blending must guarantee is no visible seam. A seam is a step between neighbouring pixel
    /// rows/columns at a tile border that stands out from the steps beside it; we measure that
    /// local excess relative to the untiled image. Measured: feathered &lt;= 0.008 (the noise level
    /// of this measure elsewhere in the image is ~0.01), hard-edged tiles (overlap 0) 0.025-0.042.
    /// </summary>
    [Fact]
    public void TiledIsCloseToUntiledAndSeamless()
    {
        const int size = 96;
        var content = TestModels.SmoothImage(size, size, 5);
        var whole = S.Stylize(content, StyleSettings.Default).Pixels;
        var tiled = S.Stylize(content, StyleSettings.Default with { TileSize = 64, TileOverlap = 16 }).Pixels;
        var hardEdged = S.Stylize(content, StyleSettings.Default with { TileSize = 64, TileOverlap = 0 }).Pixels;
        double mean = whole.Zip(tiled, (a, b) => Math.Abs(a - b)).Average();

        // Tiles along each axis start at 0 and 32 (64 px each): borders at 32 and 64.
        int[] borders = [32, 64];
        double SeamExcess(float[] img) => borders.Max(b => new[] { true, false }.Max(across =>
            Excess(img, b, across) - Excess(whole, b, across)));
        double feathered = SeamExcess(tiled), hard = SeamExcess(hardEdged);
        output.WriteLine($"tiled vs untiled: mean abs diff {mean:F4}; seam excess at tile borders: feathered {feathered:F4}, hard-edged {hard:F4}");

        Assert.True(mean < 0.07, $"mean abs diff {mean}");
        Assert.True(hard > 0.02, "control: hard-edged tiles should show a seam with this network");
        Assert.True(feathered < 0.015, $"feathered tiles leave a seam of {feathered}");

        // Mean step between pixel lines `at-1` and `at`, minus the mean of the steps on either side.
        static double Excess(float[] p, int at, bool acrossColumns)
            => Step(p, at, acrossColumns) - (Step(p, at - 1, acrossColumns) + Step(p, at + 1, acrossColumns)) / 2;

        static double Step(float[] p, int at, bool acrossColumns)
        {
            double sum = 0;
            for (int c = 0; c < 3; c++)
                for (int i = 0; i < size; i++)
                {
                    int here = acrossColumns ? (c * size + i) * size + at : (c * size + at) * size + i;
                    int before = acrossColumns ? here - 1 : here - size;
                    sum += Math.Abs(p[here] - p[before]);
                }
            return sum / (3 * size);
        }
    }

    [Fact]
    public void BatchEqualsOneByOne()
    {
        var images = new[] { TestModels.SmoothImage(17, 11, 6), TestModels.SmoothImage(17, 11, 7), TestModels.SmoothImage(17, 11, 8) };
        var settings = StyleSettings.Default with { Strength = 0.8f, PreserveColor = true };
        var batch = S.StylizeBatch(images, settings);
        for (int i = 0; i < images.Length; i++)
        {
            var single = S.Stylize(images[i], settings).Pixels;
            Assert.True(single.Zip(batch[i].Pixels, (a, b) => Math.Abs(a - b)).Max() < 1e-5);
        }
    }

    [Theory]
    [InlineData(1.5f, 0, 32, "strength")]
    [InlineData(1f, 16, 8, "--tile")]
    [InlineData(1f, 64, 32, "--tile")]
    public void InvalidSettingsAreUserErrors(float strength, int tile, int overlap, string key)
    {
        var e = Assert.Throws<FastStyleError>(() => S.Stylize(new RgbImage(8, 8), new StyleSettings(strength, false, tile, overlap)));
        Assert.Contains(key, e.Message);
    }
}
