using System.Collections.Concurrent;
using FastStyle.Data.Datasets;
using FastStyle.Data.Imaging;
using SkiaSharp;

namespace FastStyle.Data.Tests;

public sealed class ImageFolderDatasetTests : IDisposable
{
    const int Size = 16;
    const int Batch = 2;
    readonly TempDir dir = new();
    readonly string folder;

    public ImageFolderDatasetTests()
    {
        folder = dir.File("photos");
        Directory.CreateDirectory(Path.Combine(folder, "nested", "deeper"));
        ImageFile.Save(TestFiles.Noise(64, 48, 1), Path.Combine(folder, "a.png"));
        ImageFile.Save(TestFiles.Smooth(50, 80), Path.Combine(folder, "b.jpg"));
        ImageFile.Save(TestFiles.Noise(70, 50, 2), Path.Combine(folder, "nested", "d.webp"));
        ImageFile.Save(TestFiles.Smooth(96, 64), Path.Combine(folder, "e.JPG"));
        ImageFile.Save(TestFiles.Noise(48, 60, 3), Path.Combine(folder, "nested", "deeper", "f.png"));
        var grey = Enumerable.Range(0, 40 * 40).Select(i => (byte)(i % 251)).ToArray();
        TestFiles.WriteSkia(Path.Combine(folder, "nested", "c_grey.png"), 40, 40, SKColorType.Gray8, SKAlphaType.Opaque, grey, SKEncodedImageFormat.Png);
        File.WriteAllText(Path.Combine(folder, "nested", "broken.jpg"), "not a jpeg");
        File.WriteAllText(Path.Combine(folder, "readme.txt"), "ignored: not an image extension");
    }

    public void Dispose() => dir.Dispose();

    ImageFolderDataset Open(int seed = 7, DataPosition? start = null, int batch = Batch, int workers = 2)
        => new(folder, Size, seed, batch, start ?? new DataPosition(0, 0), workers);

    static List<TrainingBatch> Take(ImageFolderDataset dataset, int count)
        => Enumerable.Range(0, count).Select(_ => dataset.Next()).ToList();

    [Fact]
    public void Finds_images_recursively_and_ignores_other_files()
    {
        using var dataset = Open();
        Assert.Equal(7, dataset.Files.Count);
        Assert.Contains(dataset.Files, f => f.EndsWith("f.png"));
        Assert.Contains(dataset.Files, f => f.EndsWith("broken.jpg"));
        Assert.DoesNotContain(dataset.Files, f => f.EndsWith(".txt"));
        Assert.Equal(dataset.Files.Order(StringComparer.Ordinal), dataset.Files);
    }

    [Fact]
    public void Batches_have_the_right_shape_and_values_in_unit_range()
    {
        using var dataset = Open();
        foreach (var batch in Take(dataset, 5))
        {
            Assert.Equal(Batch, batch.Count);
            Assert.Equal(Size, batch.Size);
            Assert.Equal(Batch * 3 * Size * Size, batch.Data.Length);
            Assert.All(batch.Data, v => Assert.InRange(v, 0f, 1f));
            // Real image content, not an empty buffer: each crop varies.
            int crop = 3 * Size * Size;
            for (int i = 0; i < Batch; i++)
            {
                var values = batch.Data.AsSpan(i * crop, crop).ToArray();
                Assert.True(values.Max() - values.Min() > 0.05f, $"crop {i} is flat");
            }
        }
    }

    [Fact]
    public void Positions_advance_through_epochs()
    {
        using var dataset = Open();
        var positions = Take(dataset, 8).Select(b => b.NextPosition).ToList();
        // 7 files, 2 per batch, one unreadable: positions never go backwards, and after 16 crops (> two epochs of 6 good files) we are in epoch 2.
        for (int i = 1; i < positions.Count; i++)
            Assert.True((positions[i].Epoch, positions[i].Index).CompareTo((positions[i - 1].Epoch, positions[i - 1].Index)) > 0);
        Assert.Equal(2, positions[^1].Epoch);
        Assert.All(positions, p => Assert.InRange(p.Index, 0, 6));
    }

    [Fact]
    public void Corrupt_file_is_skipped_once_with_a_warning()
    {
        using var dataset = Open();
        var warnings = new ConcurrentQueue<string>();
        dataset.Warning += warnings.Enqueue;
        Take(dataset, 8); // more than two epochs
        Assert.Equal(1, dataset.SkippedCount);
        var warning = Assert.Single(warnings);
        Assert.Contains("broken.jpg", warning);
    }

    [Fact]
    public void Warning_reaches_a_handler_subscribed_after_construction()
    {
        // The trainer subscribes right after constructing the dataset; decoding must not race ahead of it.
        using var dataset = Open();
        Thread.Sleep(300);
        var warnings = new ConcurrentQueue<string>();
        dataset.Warning += warnings.Enqueue;
        Take(dataset, 4); // the first epoch (7 files) is covered by 4 batches of 2
        Assert.Contains(warnings, w => w.Contains("broken.jpg"));
    }

    [Fact]
    public void Same_seed_gives_identical_batches()
    {
        List<TrainingBatch> first, second;
        using (var a = Open(seed: 11)) first = Take(a, 3);
        using (var b = Open(seed: 11, workers: 1)) second = Take(b, 3);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(first[i].Data, second[i].Data);
            Assert.Equal(first[i].NextPosition, second[i].NextPosition);
        }
    }

    [Fact]
    public void Different_seed_gives_different_batches()
    {
        List<TrainingBatch> first, second;
        using (var a = Open(seed: 11)) first = Take(a, 3);
        using (var b = Open(seed: 12)) second = Take(b, 3);
        Assert.NotEqual(first[0].Data, second[0].Data);
        Assert.False(first.Zip(second).All(p => p.First.Data.AsSpan().SequenceEqual(p.Second.Data)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(3)]
    public void Resuming_at_a_batch_NextPosition_continues_the_same_sequence(int k)
    {
        List<TrainingBatch> uninterrupted;
        using (var full = Open(seed: 5)) uninterrupted = Take(full, k + 4);

        using var resumed = Open(seed: 5, start: uninterrupted[k].NextPosition);
        var continued = Take(resumed, 3);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(uninterrupted[k + 1 + i].Data, continued[i].Data);
            Assert.Equal(uninterrupted[k + 1 + i].NextPosition, continued[i].NextPosition);
        }
    }

    [Fact]
    public void Empty_folder_is_a_user_error()
    {
        string empty = dir.File("empty");
        Directory.CreateDirectory(empty);
        File.WriteAllText(Path.Combine(empty, "notes.txt"), "no images here");
        var e = Assert.Throws<FastStyleError>(() => new ImageFolderDataset(empty, Size, 1, Batch, new DataPosition(0, 0)));
        Assert.Contains(empty, e.Message);
        Assert.Contains("no images", e.Message);
    }

    [Fact]
    public void Missing_folder_is_a_user_error()
    {
        string missing = dir.File("does-not-exist");
        var e = Assert.Throws<FastStyleError>(() => new ImageFolderDataset(missing, Size, 1, Batch, new DataPosition(0, 0)));
        Assert.Contains(missing, e.Message);
        Assert.Contains("not found", e.Message);
    }

    [Theory]
    [InlineData(8, 1)]
    [InlineData(16, 0)]
    public void Invalid_sizes_are_user_errors(int imageSize, int batchSize)
        => Assert.Throws<FastStyleError>(() => new ImageFolderDataset(folder, imageSize, 1, batchSize, new DataPosition(0, 0)));

    [Fact]
    public void Folder_of_only_unreadable_images_fails_on_Next_with_a_user_error()
    {
        string bad = dir.File("bad");
        Directory.CreateDirectory(bad);
        File.WriteAllText(Path.Combine(bad, "one.jpg"), "x");
        File.WriteAllBytes(Path.Combine(bad, "two.png"), []);
        using var dataset = new ImageFolderDataset(bad, Size, 1, Batch, new DataPosition(0, 0));
        var e = Assert.Throws<FastStyleError>(() => dataset.Next());
        Assert.Contains("none of the 2 images", e.Message);
        Assert.Equal(2, dataset.SkippedCount);
    }

    [Fact]
    public void CropSampler_is_deterministic_for_a_seed_and_returns_the_requested_size()
    {
        var image = TestFiles.Noise(50, 30, 9);
        var a = CropSampler.Sample(image, 20, new Random(3));
        var b = CropSampler.Sample(image, 20, new Random(3));
        var c = CropSampler.Sample(image, 20, new Random(4));
        Assert.Equal((20, 20), (a.Width, a.Height));
        Assert.Equal(a.Pixels, b.Pixels);
        Assert.NotEqual(a.Pixels, c.Pixels);
    }
}
