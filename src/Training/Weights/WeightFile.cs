using FastStyle.Data;
using FastStyle.Data.Weights;

namespace FastStyle.Training.Weights;

/// <summary>
/// Reads the tensors of a weight file in either format users have: a PyTorch state dict
/// (.pth/.pt from torch.save, recognised by its first bytes, whatever its extension) or
/// safetensors (everything else, read exactly as before).
/// </summary>
internal static class WeightFile
{
    public static IReadOnlyDictionary<string, TensorData> ReadTensors(string path)
    {
        if (!File.Exists(path)) throw new FastStyleError($"weights '{path}': file not found");
        return PyTorchStateDict.IsPyTorchFile(path) ? PyTorchStateDict.Read(path) : SafetensorsFile.Read(path).Tensors;
    }
}
