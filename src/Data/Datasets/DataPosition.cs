namespace FastStyle.Data.Datasets;

/// <summary>Where a dataset stands: the epoch and the index into that epoch's shuffled order. Stored in checkpoints.</summary>
public sealed record DataPosition(int Epoch, int Index);

/// <summary>
/// A batch of training crops: planar NCHW float32 RGB in [0,1], Count images of Size x Size.
/// NextPosition is where the batch after this one starts (what a checkpoint must store).
/// </summary>
public sealed record TrainingBatch(float[] Data, int Count, int Size, DataPosition NextPosition);
