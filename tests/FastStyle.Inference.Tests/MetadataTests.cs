using FastStyle.Data;
using FastStyle.Inference;
using FastStyle.Inference.Onnx;
using Google.Protobuf;

namespace FastStyle.Inference.Tests;

public sealed class MetadataTests
{
    static readonly TransformerArchitecture Arch = new(4, 1, UpsampleMode.Transpose);

    [Fact]
    public void RoundTripsThroughTheOnnxFile()
    {
        using var dir = new TempFolder();
        var metadata = new ModelMetadata("starry night", "0123abcd" + new string('f', 56), 40000, "c0ffee", Arch);
        TransformerOnnxExporter.Write(dir.File("m.onnx"), Arch, TestModels.RandomWeights(Arch, 1), metadata);

        var read = ModelMetadata.ReadFromOnnx(dir.File("m.onnx"));

        // The exporter adds the weights checksum; everything else round-trips as given.
        Assert.Equal(metadata, read with { WeightsSha256 = null });
        Assert.Matches("^[0-9a-f]{64}$", read.WeightsSha256);
        Assert.Equal("faststyle-transformer", read.Format);
        Assert.Equal(1, read.FormatVersion);
        Assert.Equal("float32 NCHW RGB in [0,1]", read.PixelConvention);
        Assert.All(metadata.ToProperties(), p => Assert.StartsWith("faststyle.", p.Key));
    }

    [Fact]
    public void ModelHeaderFollowsTheSpec()
    {
        var bytes = TransformerOnnxExporter.Export(Arch, TestModels.RandomWeights(Arch, 1), TestModels.Metadata(Arch));
        var model = ModelProto.Parser.ParseFrom(bytes);

        Assert.Equal(8, model.IrVersion);
        Assert.Equal(17, Assert.Single(model.OpsetImport).Version);
        var input = Assert.Single(model.Graph.Input);
        Assert.Equal("input", input.Name);
        Assert.Equal(["N", "", "H", "W"], input.Type.TensorType.Shape.Dim.Select(d => d.DimParam));
        Assert.Equal(3, input.Type.TensorType.Shape.Dim[1].DimValue);
        Assert.Equal("output", Assert.Single(model.Graph.Output).Name);
        var weight = model.Graph.Initializer.Single(t => t.Name == "conv1.conv.weight");
        Assert.Equal((int)TensorProto.Types.DataType.Float, weight.DataType);
        Assert.Equal(4 * 3 * 9 * 9 * 4, weight.RawData.Length);
    }

    [Fact]
    public void RandomBytesAreRejectedNamingTheFile()
    {
        using var dir = new TempFolder();
        string path = dir.File("noise.onnx");
        var noise = new byte[4096];
        new Random(5).NextBytes(noise);
        File.WriteAllBytes(path, noise);

        var e = Assert.Throws<FastStyleError>(() => ModelMetadata.ReadFromOnnx(path));
        Assert.Contains($"model '{path}': not a FastStyle ONNX model", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Throws<FastStyleError>(() => Stylizer.Load(path, TestModels.Options));
    }

    [Fact]
    public void ForeignOnnxModelIsRejected()
    {
        // A valid ONNX model (Identity on a float NCHW tensor) that lacks our metadata.
        var graph = new GraphProto { Name = "identity" };
        graph.Node.Add(new NodeProto { OpType = "Identity", Input = { "input" }, Output = { "output" } });
        graph.Input.Add(OnnxGraphBuilder.FloatValueInfo("input", "N", 3, "H", "W"));
        graph.Output.Add(OnnxGraphBuilder.FloatValueInfo("output", "N", 3, "H", "W"));
        var model = new ModelProto { IrVersion = 8, Graph = graph, ProducerName = "someone else" };
        model.OpsetImport.Add(new OperatorSetIdProto { Version = 17 });
        model.MetadataProps.Add(new StringStringEntryProto { Key = "author", Value = "x" });
        using var dir = new TempFolder();
        string path = dir.File("identity.onnx");
        File.WriteAllBytes(path, model.ToByteArray());

        var e = Assert.Throws<FastStyleError>(() => Stylizer.Load(path, TestModels.Options));
        Assert.Equal($"model '{path}': not a FastStyle ONNX model (no 'faststyle.format' metadata)", e.Message);
    }

    [Fact]
    public void ModelWrittenBeforeWeightChecksumsStillLoadsAndRuns()
    {
        // Models exported before the weights checksum existed (the first shipped starry_night.onnx) have
        // no such entry: they load and run, with no checksum to verify.
        var model = ExportedModel();
        var entry = model.MetadataProps.Single(p => p.Key == ModelMetadata.Keys.WeightsSha256);
        model.MetadataProps.Remove(entry);
        using var dir = new TempFolder();
        string path = dir.File("older.onnx");
        File.WriteAllBytes(path, model.ToByteArray());
        using var stylizer = Stylizer.Load(path, TestModels.Options);
        Assert.Null(stylizer.Metadata.WeightsSha256);
        var output = stylizer.Stylize(TestModels.SmoothImage(24, 20, 3), StyleSettings.Default);
        Assert.Equal((24, 20), (output.Width, output.Height));
    }

    [Fact]
    public void NewerFormatVersionIsRejected()
    {
        var model = ExportedModel();
        model.MetadataProps.Single(p => p.Key == "faststyle.format_version").Value = "3";
        var e = WriteAndRead(model);
        Assert.Contains("format version 3 is newer", e.Message);
    }

    [Fact]
    public void WrongInputNameOrRankIsRejected()
    {
        var renamed = ExportedModel();
        renamed.Graph.Input[0].Name = "image";
        Assert.Contains("no graph input named 'input'", WriteAndRead(renamed).Message);

        var rank3 = ExportedModel();
        rank3.Graph.Output[0].Type.TensorType.Shape.Dim.RemoveAt(0);
        Assert.Contains("graph output 'output' has rank 3", WriteAndRead(rank3).Message);
    }

    [Fact]
    public void MissingFileIsAUserError()
    {
        var e = Assert.Throws<FastStyleError>(() => ModelMetadata.ReadFromOnnx("/nonexistent/x.onnx"));
        Assert.Equal("model '/nonexistent/x.onnx': file not found", e.Message);
    }

    [Fact]
    public void MissingOrMisshapedWeightIsRejectedNamingTheTensor()
    {
        var weights = TestModels.RandomWeights(Arch, 1);
        weights.Remove("res1.in2.bias");
        var e = Assert.Throws<FastStyleError>(() => TransformerOnnxExporter.Export(Arch, weights, TestModels.Metadata(Arch)));
        Assert.Contains("missing weight tensor 'res1.in2.bias'", e.Message);

        weights = TestModels.RandomWeights(Arch, 1);
        var up = weights["up1.conv.weight"];
        // A Conv2d-shaped [out,in,3,3] weight given to a Transpose network ([in,out,3,3]).
        weights["up1.conv.weight"] = up with { Shape = [up.Shape[1], up.Shape[0], 3, 3] };
        using var dir = new TempFolder();
        string path = dir.File("m.onnx");
        e = Assert.Throws<FastStyleError>(() => TransformerOnnxExporter.Write(path, Arch, weights, TestModels.Metadata(Arch)));
        Assert.Contains($"model '{path}': weight tensor 'up1.conv.weight' has shape [8,16,3,3]", e.Message);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void WriteReplacesAtomicallyAndLeavesNoTemporaryFiles()
    {
        using var dir = new TempFolder();
        string path = dir.File("m.onnx");
        File.WriteAllText(path, "old");
        TransformerOnnxExporter.Write(path, Arch, TestModels.RandomWeights(Arch, 1), TestModels.Metadata(Arch));
        Assert.Equal(Arch, ModelMetadata.ReadFromOnnx(path).Architecture);
        Assert.Equal([path], Directory.GetFiles(dir.Path));
    }

    static ModelProto ExportedModel()
        => ModelProto.Parser.ParseFrom(TransformerOnnxExporter.Export(Arch, TestModels.RandomWeights(Arch, 1), TestModels.Metadata(Arch)));

    static FastStyleError WriteAndRead(ModelProto model)
    {
        using var dir = new TempFolder();
        string path = dir.File("edited.onnx");
        File.WriteAllBytes(path, model.ToByteArray());
        var e = Assert.Throws<FastStyleError>(() => ModelMetadata.ReadFromOnnx(path));
        Assert.StartsWith($"model '{path}': not a FastStyle ONNX model (", e.Message);
        return e;
    }
}
