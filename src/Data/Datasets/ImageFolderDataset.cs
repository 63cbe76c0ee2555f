using System.Collections.Concurrent;
using FastStyle.Data.Imaging;

namespace FastStyle.Data.Datasets;

/// <summary>
/// Training crops from any folder of photos (recursive). Each epoch visits every file once in an
/// order shuffled by (seed, epoch); each crop's randomness comes from (seed, epoch, index), so the
/// batches depend only on the seed and the start position, never on thread timing, and a resumed
/// run sees exactly the batches an uninterrupted one would.
/// Decoding runs ahead on background threads (a bounded queue of batches), so a training step
/// does not wait for JPEG decoding. Unreadable files are skipped with a warning and counted.
/// </summary>
public sealed class ImageFolderDataset : IDisposable
{
    const int QueuedBatches = 3;
    /// <summary>Larger photos are rejected; a training crop never needs more.</summary>
    const long MaxPixelsPerImage = 40L * 1024 * 1024;

    readonly int imageSize;
    readonly int seed;
    readonly int batchSize;
    readonly BlockingCollection<TrainingBatch> queue = new(QueuedBatches);
    readonly CancellationTokenSource stop = new();
    readonly DataPosition start;
    readonly int workers;
    readonly object startLock = new();
    Task? producer;
    readonly ConcurrentDictionary<string, bool> skipped = new();
    readonly object orderLock = new();
    int[]? currentOrder;
    int currentOrderEpoch = -1;

    public IReadOnlyList<string> Files { get; }
    public int SkippedCount => skipped.Count;
    public event Action<string>? Warning;

    public ImageFolderDataset(string folder, int imageSize, int seed, int batchSize, DataPosition start, int workers = 2)
    {
        if (!Directory.Exists(folder)) throw new FastStyleError($"dataset '{folder}': folder not found");
        if (imageSize < 16) throw new FastStyleError($"image_size {imageSize} is too small (at least 16)");
        if (batchSize < 1) throw new FastStyleError($"batch_size {batchSize} must be at least 1");
        Files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(ImageFile.HasImageExtension)
            .OrderBy(f => f, StringComparer.Ordinal)
            .ToList();
        if (Files.Count == 0) throw new FastStyleError($"dataset '{folder}': no images found (looked for .jpg .jpeg .png .webp .bmp .gif, recursively)");
        this.imageSize = imageSize;
        this.seed = seed;
        this.batchSize = batchSize;
        this.start = start;
        this.workers = Math.Max(1, workers);
    }

    /// <summary>
    /// Decoding starts on the first <see cref="Next"/>, not in the constructor: otherwise a corrupt
    /// file early in the order could be skipped before the caller subscribed to <see cref="Warning"/>.
    /// </summary>
    Task Producer()
    {
        ObjectDisposedException.ThrowIf(stop.IsCancellationRequested, this);
        lock (startLock) return producer ??= Task.Run(() => Produce(start, workers));
    }

    /// <summary>The next batch; blocks only if decoding has fallen behind.</summary>
    public TrainingBatch Next()
    {
        var running = Producer();
        try { return queue.Take(stop.Token); }
        catch (InvalidOperationException)
        {
            // The producer finished: it only does so on failure or disposal.
            try { running.Wait(); }
            catch (AggregateException e) { System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException!).Throw(); }
            throw new ObjectDisposedException(nameof(ImageFolderDataset));
        }
    }

    void Produce(DataPosition start, int workers)
    {
        try
        {
            var position = start;
            while (!stop.IsCancellationRequested)
            {
                var batch = new float[batchSize * 3 * imageSize * imageSize];
                int filled = 0;
                int failuresInARow = 0;
                while (filled < batchSize)
                {
                    // Decode the next candidates in parallel; positions are consumed in order, failures skipped.
                    int want = batchSize - filled;
                    var positions = new List<DataPosition>();
                    var p = position;
                    for (int i = 0; i < want; i++) { positions.Add(p); p = Advance(p); }
                    var crops = new RgbImage?[want];
                    Parallel.For(0, want, new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = stop.Token },
                        i => crops[i] = LoadCrop(positions[i]));
                    position = p;
                    foreach (var crop in crops)
                    {
                        if (crop == null) { failuresInARow++; continue; }
                        failuresInARow = 0;
                        crop.Pixels.CopyTo(batch, filled * crop.Pixels.Length);
                        filled++;
                    }
                    if (failuresInARow >= Files.Count)
                        throw new FastStyleError($"dataset: none of the {Files.Count} images could be read");
                }
                queue.Add(new TrainingBatch(batch, batchSize, imageSize, position), stop.Token);
            }
        }
        catch (OperationCanceledException) { }
        finally { queue.CompleteAdding(); }
    }

    DataPosition Advance(DataPosition p) => p.Index + 1 >= Files.Count ? new DataPosition(p.Epoch + 1, 0) : p with { Index = p.Index + 1 };

    RgbImage? LoadCrop(DataPosition position)
    {
        string file = Files[Order(position.Epoch)[position.Index]];
        if (skipped.ContainsKey(file)) return null;
        try
        {
            var image = ImageFile.Load(file, new ImageLoadOptions { MaxPixels = MaxPixelsPerImage, DecodeShorterSideAtLeast = CropSampler.ShorterSideNeeded(imageSize) });
            var random = new Random(Mix(seed, position.Epoch, position.Index));
            return CropSampler.Sample(image, imageSize, random);
        }
        catch (FastStyleError e)
        {
            if (skipped.TryAdd(file, true)) Warning?.Invoke($"skipping {e.Message}");
            return null;
        }
    }

    /// <summary>A stable hash (HashCode.Combine is randomised per process, which would break resume).</summary>
    static int Mix(int seed, int epoch, int index)
    {
        ulong z = (ulong)(uint)seed * 0x9E3779B97F4A7C15UL ^ (ulong)(uint)epoch << 32 ^ (uint)index;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (int)((z ^ (z >> 31)) & 0x7FFFFFFF);
    }

    int[] Order(int epoch)
    {
        lock (orderLock)
        {
            if (epoch == currentOrderEpoch) return currentOrder!;
            var order = Enumerable.Range(0, Files.Count).ToArray();
            new Random(Mix(seed, epoch, -1)).Shuffle(order);
            currentOrder = order;
            currentOrderEpoch = epoch;
            return order;
        }
    }

    public void Dispose()
    {
        stop.Cancel();
        Task? running;
        lock (startLock) running = producer;
        try { running?.Wait(TimeSpan.FromSeconds(10)); } catch (AggregateException) { }
        stop.Dispose();
        queue.Dispose();
    }
}
