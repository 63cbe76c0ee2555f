using FastStyle.Data;
using FastStyle.Data.Imaging;
using FastStyle.Inference;
using FastStyle.Training.Networks;
using FastStyle.Training.Tensors;
using FastStyle.Training.Runs;
using TorchSharp;

namespace FastStyle.Training.Export;

/// <summary>Result of an export: where the model went and how closely ONNX Runtime matched TorchSharp.</summary>
public sealed record ExportResult(string OutputPath, ModelMetadata Metadata, double MaxAbsDifference, IReadOnlyList<(int Width, int Height)> CheckedSizes);

/// <summary>
/// Checkpoint to ONNX, with the parity check built in: the exported graph is run with ONNX Runtime
/// on fixed inputs and compared to the TorchSharp network it came from. TorchSharp cannot export
/// ONNX itself, so our hand-written graph is the thing that can drift; the check makes drift an
/// export failure rather than a silently different model.
/// </summary>
public static class CheckpointExporter
{
    /// <summary>Largest allowed |ORT - TorchSharp| on the clipped 0..1 output scale (issue 4).</summary>
    public const double ParityTolerance = 1e-4;

    /// <summary>Sizes checked: one a multiple of 4 and one not, to cover the graph's pad-and-crop path.</summary>
    public static readonly (int Width, int Height)[] ParitySizes = [(64, 48), (75, 53)];

    public static ExportResult Export(string checkpointPath, string outputPath)
    {
        var checkpoint = Checkpoint.Load(checkpointPath);
        var metadata = new ModelMetadata(checkpoint.StyleName, checkpoint.StyleImageSha256, checkpoint.Step, checkpoint.ConfigHash, checkpoint.Architecture)
        {
            Styles = checkpoint.Styles,
        };
        return Export(checkpoint.Architecture, checkpoint.NetworkWeights, metadata, checkpointPath, outputPath);
    }

    public static ExportResult Export(TransformerArchitecture architecture, IReadOnlyDictionary<string, Data.Weights.TensorData> weights,
        ModelMetadata metadata, string source, string outputPath)
    {
        if (!outputPath.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
            throw new FastStyleError($"output '{outputPath}': an exported model must end in .onnx");
        using var net = new TransformerNet(architecture);
        net.LoadWeights(weights, source);
        net.eval();

        // Write next to the target, check, then rename: a model that fails parity never appears.
        string full = Path.GetFullPath(outputPath);
        string temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.check.onnx");
        try
        {
            TransformerOnnxExporter.Write(temp, architecture, weights, metadata);
            double worst = 0;
            using (var stylizer = Stylizer.Load(temp, new StylizerOptions()))
                foreach (var styleWeights in ParityStyleWeights(architecture.Styles))
                    foreach (var (w, h) in ParitySizes)
                        worst = Math.Max(worst, MaxDifference(net, stylizer, ParityInput(w, h), styleWeights));
            if (!(worst <= ParityTolerance))
                throw new FastStyleError($"export '{outputPath}': ONNX Runtime output differs from TorchSharp by {worst:G3} (limit {ParityTolerance:G1}); model not written");
            File.Move(temp, full, overwrite: true);
            return new ExportResult(outputPath, ModelMetadata.ReadFromOnnx(full), worst, ParitySizes);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>
    /// Style rows the parity check runs: none for one style; for several, each style alone and an
    /// uneven mix of all of them (the mix path multiplies tables a one-hot row would only select from).
    /// </summary>
    internal static IEnumerable<float[]?> ParityStyleWeights(int styles)
    {
        if (styles == 1)
        {
            yield return null;
            yield break;
        }
        for (int s = 0; s < styles; s++)
        {
            var oneHot = new float[styles];
            oneHot[s] = 1;
            yield return oneHot;
        }
        float total = styles * (styles + 1) / 2f;
        yield return Enumerable.Range(1, styles).Select(i => i / total).ToArray();
    }

    static double MaxDifference(TransformerNet net, Stylizer stylizer, RgbImage input, float[]? styleWeights)
    {
        using var scope = torch.NewDisposeScope();
        var expected = net.Stylize(ImageTensors.ToTensor(input), styleWeights is null ? null : TransformerNet.StyleWeights(styleWeights, 1)).data<float>().ToArray();
        var actual = stylizer.Stylize(input, StyleSettings.Default with { StyleWeights = styleWeights }).Pixels;
        double worst = 0;
        for (int i = 0; i < expected.Length; i++) worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]));
        return worst;
    }

    /// <summary>The parity check's input: deterministic and photo-like (smooth gradients plus texture), so every layer sees varied values.</summary>
    internal static RgbImage ParityInput(int width, int height)
    {
        var image = new RgbImage(width, height);
        var random = new Random(1234);
        int plane = image.PlaneSize;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int i = y * width + x;
                double u = (double)x / width, v = (double)y / height;
                image.Pixels[i] = (float)Math.Clamp(0.5 + 0.4 * Math.Sin(6 * u + 2 * v) + 0.1 * (random.NextDouble() - 0.5), 0, 1);
                image.Pixels[plane + i] = (float)Math.Clamp(u * 0.8 + 0.1 * random.NextDouble(), 0, 1);
                image.Pixels[2 * plane + i] = (float)Math.Clamp(0.3 + 0.5 * v * u + 0.1 * random.NextDouble(), 0, 1);
            }
        return image;
    }
}
