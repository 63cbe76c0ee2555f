namespace FastStyle.Data.Weights;

/// <summary>A named float32 tensor held in managed memory (row-major, shape as in PyTorch).</summary>
public sealed record TensorData(string Name, long[] Shape, float[] Values)
{
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
    public string ShapeText => "[" + string.Join(",", Shape) + "]";
}
