using FastStyle.Data.Weights;
using FastStyle.Inference;
using FastStyle.Training.Losses;
using FastStyle.Training.Networks;

namespace FastStyle.Training.Tests;

/// <summary>
/// Inputs for the evaluate/compare tests: a VGG-19 file holding only conv1_1..conv2_2
/// (features.0/2/5/7, seeded He-normal values), a loss that needs nothing deeper (style relu1_1 and
/// relu2_1, content relu2_2), a tiny exported transformer and small generated images.
/// </summary>
internal static class EvaluateCompareFixtures
{
    public const int VggConvs = 4;

    public static string WriteVgg(string directory, int seed = 5)
    {
        string path = Path.Combine(directory, "vgg19-conv1-conv2.safetensors");
        var tensors = Fixtures.RandomVggTensors(VggConvs, seed);
        SafetensorsFile.Write(path, tensors);
        return path;
    }

    public static string WriteLossYaml(string directory) => Fixtures.WriteTinyLossYaml(directory);

    public static LossConfig Loss(string directory) => LossConfigFile.Load(WriteLossYaml(directory));

    /// <summary>A randomly initialised 4-channel, 1-residual-block network exported to ONNX (no training: its loss is whatever it is).</summary>
    public static string WriteTinyModel(string directory)
    {
        var arch = new TransformerArchitecture(4, 1);
        using var net = new TransformerNet(arch);
        string path = Path.Combine(directory, "tiny.onnx");
        TransformerOnnxExporter.Write(path, arch, net.ExportWeights(), new ModelMetadata("test", "0", 0, "0", arch));
        return path;
    }

    public static string WriteImage(string directory, string name, int width, int height, int seed)
        => Fixtures.WriteImage(Path.Combine(directory, name), width, height, seed);
}
