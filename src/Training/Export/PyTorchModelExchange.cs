using FastStyle.Data;
using FastStyle.Data.Weights;
using FastStyle.Inference;
using FastStyle.Training.Runs;
using FastStyle.Training.Weights;

namespace FastStyle.Training.Export;

/// <summary>Result of writing a state dict: where, how many tensors, and how closely reading it back reproduced the checkpoint.</summary>
public sealed record PthExportResult(string OutputPath, TransformerArchitecture Architecture, int TensorCount, double MaxRelativeDifference);

/// <summary>
/// Style networks to and from pytorch/examples' fast_neural_style (<see cref="FastNeuralStyleLayout"/>):
/// its .pth state dicts import to our ONNX model (with <see cref="CheckpointExporter"/>'s parity
/// check), and our checkpoints export to a state dict its `TransformerNet` loads with strict=True.
/// </summary>
public static class PyTorchModelExchange
{
    /// <summary>Largest relative difference allowed between a checkpoint and its exported state dict read back (float rounding of the x255 / 255 scaling).</summary>
    public const double RoundTripTolerance = 1e-6;

    public static ExportResult Import(string pthPath, string outputPath, string? styleName = null)
    {
        if (!outputPath.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
            throw new FastStyleError($"output '{outputPath}': an imported model must end in .onnx");
        var theirs = PyTorchStateDict.Read(pthPath);
        var (architecture, weights) = FastNeuralStyleLayout.ToOurs(theirs, pthPath);
        // No training run behind it: the config hash records where the weights came from instead.
        var metadata = new ModelMetadata(string.IsNullOrWhiteSpace(styleName) ? Path.GetFileNameWithoutExtension(pthPath) : styleName,
            StyleImageSha256: "unknown", TrainingSteps: 0, ConfigHash: "pytorch-examples:" + Reporting.FileHash.Sha256OfFile(pthPath), architecture);
        return CheckpointExporter.Export(architecture, weights, metadata, pthPath, outputPath);
    }

    public static PthExportResult ExportPth(string checkpointPath, string outputPath)
    {
        if (!(outputPath.EndsWith(".pth", StringComparison.OrdinalIgnoreCase) || outputPath.EndsWith(".pt", StringComparison.OrdinalIgnoreCase)))
            throw new FastStyleError($"output '{outputPath}': a PyTorch state dict must end in .pth or .pt");
        var checkpoint = Checkpoint.Load(checkpointPath);
        var tensors = FastNeuralStyleLayout.ToTheirs(checkpoint.Architecture, checkpoint.NetworkWeights);
        PyTorchStateDict.Write(outputPath, tensors);

        // Read back through the importer's own path: what a user would import is what we trained.
        double worst;
        try
        {
            var (_, back) = FastNeuralStyleLayout.ToOurs(PyTorchStateDict.Read(outputPath), outputPath);
            worst = MaxRelativeDifference(checkpoint.NetworkWeights, back);
        }
        catch
        {
            File.Delete(outputPath);
            throw;
        }
        if (!(worst <= RoundTripTolerance))
        {
            File.Delete(outputPath);
            throw new FastStyleError($"export '{outputPath}': the state dict read back differs from the checkpoint by {worst:G3} (relative, limit {RoundTripTolerance:G1}); not written");
        }
        return new PthExportResult(outputPath, checkpoint.Architecture, tensors.Count, worst);
    }

    /// <summary>Largest |a-b| / max|a| over tensors present in <paramref name="expected"/>; a missing tensor counts as infinitely different.</summary>
    public static double MaxRelativeDifference(IReadOnlyDictionary<string, TensorData> expected, IReadOnlyDictionary<string, TensorData> actual)
    {
        double worst = 0;
        foreach (var (name, e) in expected)
        {
            if (!actual.TryGetValue(name, out var a) || a.Values.Length != e.Values.Length) return double.PositiveInfinity;
            double scale = Math.Max(e.Values.Max(v => Math.Abs(v)), 1e-30), diff = 0;
            for (int i = 0; i < e.Values.Length; i++) diff = Math.Max(diff, Math.Abs(e.Values[i] - a.Values[i]));
            worst = Math.Max(worst, diff / scale);
        }
        return worst;
    }
}
