using FastStyle.Data.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace FastStyle.Training.Tensors;

/// <summary>
/// Copies between managed <see cref="TensorData"/> and libtorch tensors, for loading and checkpoint code that runs
/// outside any step's dispose scope. Every temporary is held until libtorch is done with it: one passed straight into
/// a call may be finalized by the GC on another thread while libtorch still reads it, which crashed test hosts in
/// libtorch's retain_ (README, "Tensors the GC may finalize").
/// </summary>
internal static class TensorDataCopies
{
    /// <summary>Overwrites <paramref name="target"/> with <paramref name="data"/>'s values (the caller checked the shape).</summary>
    public static void CopyInto(Tensor target, TensorData data)
    {
        using var values = torch.tensor(data.Values, data.Shape);
        target.copy_(values);
    }

    /// <summary><paramref name="t"/>'s values as float32 in managed memory, whatever its device and dtype.</summary>
    public static TensorData ToData(string name, Tensor t)
    {
        using var scope = torch.NewDisposeScope();
        var cpu = t.detach().cpu().to(ScalarType.Float32).contiguous();
        return new TensorData(name, t.shape, cpu.data<float>().ToArray());
    }
}
