using System.Reflection;
using FastStyle.Data;
using FastStyle.Data.Weights;
using FastStyle.Inference.Onnx;
using Google.Protobuf;
using static FastStyle.Inference.Onnx.OnnxGraphBuilder;

namespace FastStyle.Inference;

/// <summary>
/// Builds the ONNX model of the transformer network from its state-dict weights. The graph is
/// written node by node to match src/Training/Networks (TransformerNet, ConvLayer, UpsampleLayer)
/// exactly, plus the final clip to [0,1] that TransformerNet.Stylize applies.
/// Opset 17 / IR 8: widely supported by current runtimes, and it has every operator form used here
/// (Pad-13 with a pads input, Resize-13, Clip-13 with min/max inputs, Slice-13).
/// </summary>
public static class TransformerOnnxExporter
{
    public const int OpsetVersion = 17;
    public const long IrVersion = 8;
    public const string InputName = "input";
    public const string OutputName = "output";
    /// <summary>Multi-style models only: [N, styles] float, each row the style mix for that image (normally summing to 1).</summary>
    public const string StyleWeightsName = "style_weights";

    /// <summary>Serialised ModelProto bytes. Missing or mis-shaped weights raise <see cref="FastStyleError"/> naming the tensor.</summary>
    public static byte[] Export(TransformerArchitecture arch, IReadOnlyDictionary<string, TensorData> weights, ModelMetadata metadata)
        => BuildModel(arch, weights, metadata, "ONNX export").ToByteArray();

    /// <summary>Exports and writes atomically (see <see cref="FastStyle.Data.AtomicFile"/>); errors name <paramref name="path"/>.</summary>
    public static void Write(string path, TransformerArchitecture arch, IReadOnlyDictionary<string, TensorData> weights, ModelMetadata metadata)
    {
        byte[] bytes = BuildModel(arch, weights, metadata, $"model '{path}'").ToByteArray();
        try
        {
            FastStyle.Data.AtomicFile.WriteAllBytes(path, bytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FastStyleError($"model '{path}': cannot write it ({e.Message.ReplaceLineEndings(" ")})", e);
        }
    }

    internal static ModelProto BuildModel(TransformerArchitecture arch, IReadOnlyDictionary<string, TensorData> weights, ModelMetadata metadata, string context)
    {
        if (arch.BaseChannels < 1 || arch.ResidualBlocks < 0)
            throw new ArgumentOutOfRangeException(nameof(arch), $"invalid architecture {arch}");
        if (metadata.Architecture != arch)
            throw new ArgumentException($"metadata describes {metadata.Architecture} but the weights are for {arch}", nameof(metadata));

        var g = new OnnxGraphBuilder("faststyle_transformer");
        foreach (var (name, shape) in TransformerWeightLayout.Expected(arch))
        {
            if (!weights.TryGetValue(name, out var data))
                throw new FastStyleError($"{context}: missing weight tensor '{name}' for {arch}");
            if (!data.Shape.SequenceEqual(shape) || data.Values.Length != data.ElementCount)
                throw new FastStyleError($"{context}: weight tensor '{name}' has shape {data.ShapeText} ({data.Values.Length} values), expected [{string.Join(",", shape)}]");
            g.FloatInitializer(name, shape, data.Values);
        }

        new TransformerGraph(g, arch).Build(InputName, OutputName);
        g.Graph.Input.Add(FloatValueInfo(InputName, "N", 3, "H", "W"));
        if (arch.IsMultiStyle) g.Graph.Input.Add(FloatValueInfo(StyleWeightsName, "N", arch.Styles));
        g.Graph.Output.Add(FloatValueInfo(OutputName, "N", 3, "H", "W"));
        g.Graph.DocString = $"FastStyle transformer {arch}: {ModelMetadata.PixelConventionText} in and out, any H and W.";

        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "FastStyle",
            ProducerVersion = typeof(TransformerOnnxExporter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0",
            Graph = g.Graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OpsetVersion });
        foreach (var (key, value) in (metadata with { WeightsSha256 = ModelMetadata.WeightsChecksum(g.Graph) }).ToProperties())
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return model;
    }
}
