using FastStyle.Data;
using FastStyle.Data.Weights;
using FastStyle.Inference;
using FastStyle.Training.Tests;
using FastStyle.Training.Runs;

namespace FastStyle.Hostile.Tests;

/// <summary>Items 11 and 16: crafted or corrupt checkpoints and models are refused with one line naming the field.</summary>
public class FileIntegrityTests
{
    /// <summary>A real tiny checkpoint (one training step) whose metadata key is then replaced.</summary>
    static string CheckpointWith(TempDir dir, string key, string value)
    {
        string config = HostileFixtures.WriteTrainingSetup(dir.Path, photos: 2);
        var result = Trainer.Run(new TrainRequest { Config = TrainingConfig.Load(config), VggPath = Fixtures.TinyVggPath, OutputDirectory = dir.File("r"), MaxSteps = 1 });
        var file = SafetensorsFile.Read(result.Checkpoint!);
        var metadata = file.Metadata.ToDictionary();
        metadata[key] = value;
        string crafted = dir.File("crafted.safetensors");
        SafetensorsFile.Write(crafted, file.Tensors.Values, metadata);
        return crafted;
    }

    [Theory]
    [InlineData("step", "abc")]
    [InlineData("step", "-1")]
    [InlineData("epoch", "1e3")]
    [InlineData("seed", "99999999999")]
    [InlineData("base_channels", "abc")]
    [InlineData("base_channels", "100000")]
    [InlineData("residual_blocks", "-3")]
    [InlineData("upsample", "bilinear")]
    public void Crafted_checkpoint_metadata_is_one_line_naming_the_key(string key, string value)
    {
        using var dir = new TempDir();
        string crafted = CheckpointWith(dir, key, value);
        var before = Snapshot.Of(dir.Path);
        Cli.Run("export", crafted, "-o", dir.File("m.onnx")).AssertOneLineError(2, "crafted.safetensors", $"'{key}'", $"'{value}'");
        Snapshot.AssertUnchanged(before, dir.Path);
    }

    [Fact]
    public void Model_with_a_flipped_weight_byte_is_refused_by_its_checksum()
    {
        using var dir = new TempDir();
        var arch = new TransformerArchitecture(4, 1);
        using var net = new FastStyle.Training.Networks.TransformerNet(arch);
        var weights = net.ExportWeights();
        string model = dir.File("tiny.onnx");
        TransformerOnnxExporter.Write(model, arch, weights, new ModelMetadata("tiny", "0", 0, "0", arch));
        Assert.NotNull(ModelMetadata.ReadFromOnnx(model).WeightsSha256);
        byte[] bytes = File.ReadAllBytes(model);
        // Flip a bit in the middle of the largest weight tensor: still valid protobuf and a valid
        // float, so the model would load and run; only the checksum can tell.
        var largest = weights.Values.MaxBy(t => t.Values.Length)!.Values;
        byte[] raw = System.Runtime.InteropServices.MemoryMarshal.AsBytes(largest.AsSpan()).ToArray();
        int start = bytes.AsSpan().IndexOf(raw.AsSpan(0, 64));
        Assert.True(start >= 0, "weights not found in the file");
        bytes[start + raw.Length / 2] ^= 0x10;
        File.WriteAllBytes(model, bytes);
        var e = Assert.Throws<FastStyleError>(() => Stylizer.Load(model));
        Assert.Contains("checksum", e.Message);
        Assert.Contains("tiny.onnx", e.Message);
    }
}
