using FastStyle.Data;
using FastStyle.Inference.Onnx;
using Google.Protobuf;

namespace FastStyle.Inference;

public sealed partial record ModelMetadata
{
    /// <summary>
    /// Reads and checks a FastStyle ONNX file without running it: it must parse as an ONNX
    /// ModelProto, carry our metadata at a version we understand, and expose the tensors the
    /// <see cref="Stylizer"/> feeds ("input"/"output", float32 rank 4). Anything else is a
    /// <see cref="FastStyleError"/> naming the file, so the CLI reports it instead of ORT failing later.
    /// </summary>
    public static ModelMetadata ReadFromOnnx(string path) => ReadValidated(path).Metadata;

    /// <summary>Also returns the file's bytes, so the session is built from exactly what was validated.</summary>
    internal static (ModelMetadata Metadata, byte[] Bytes) ReadValidated(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FastStyleError($"model '{path}': file not found");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FastStyleError($"model '{path}': cannot read it ({OneLine(e.Message)})", e);
        }

        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw NotOurs(path, "not an ONNX protobuf file", e);
        }
        // Arbitrary bytes occasionally decode as a protobuf message made of unknown fields; an ONNX
        // model must have an IR version and a graph (ONNX IR: "ir_version ... MUST be present").
        if (model.IrVersion <= 0 || model.Graph is null)
            throw NotOurs(path, "no ONNX IR version or graph");

        var props = new Dictionary<string, string>();
        foreach (var entry in model.MetadataProps) props[entry.Key] = entry.Value;
        var metadata = FromProperties(props, out string reason) ?? throw NotOurs(path, reason);

        if (metadata.WeightsSha256 is { } expected && WeightsChecksum(model.Graph) != expected)
            throw new FastStyleError($"model '{path}': weights checksum mismatch (metadata {Keys.WeightsSha256} differs from the weights); the file is corrupt, export or copy it again");
        CheckTensor(path, model.Graph.Input, "input", "input");
        CheckTensor(path, model.Graph.Output, "output", "output");
        if (metadata.Architecture.IsMultiStyle)
            CheckTensor(path, model.Graph.Input, TransformerOnnxExporter.StyleWeightsName, "input", rank: 2);
        return (metadata, bytes);
    }

    /// <summary>SHA-256 (hex) over every initializer as serialised, in graph order: names, shapes, types and values.</summary>
    internal static string WeightsChecksum(GraphProto graph)
    {
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (var initializer in graph.Initializer) sha.AppendData(initializer.ToByteArray());
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    static void CheckTensor(string path, IEnumerable<ValueInfoProto> values, string name, string role, int rank = 4)
    {
        var info = values.FirstOrDefault(v => v.Name == name)
            ?? throw NotOurs(path, $"no graph {role} named '{name}'");
        var tensor = info.Type?.TensorType;
        if (tensor is null || tensor.ElemType != (int)TensorProto.Types.DataType.Float)
            throw NotOurs(path, $"graph {role} '{name}' is not a float32 tensor");
        if (tensor.Shape is null || tensor.Shape.Dim.Count != rank)
            throw NotOurs(path, $"graph {role} '{name}' has rank {tensor.Shape?.Dim.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"}, expected {rank}{(rank == 4 ? " (NCHW)" : "")}");
    }

    static FastStyleError NotOurs(string path, string reason, Exception? inner = null)
    {
        string message = $"model '{path}': not a FastStyle ONNX model ({OneLine(reason)})";
        return inner is null ? new FastStyleError(message) : new FastStyleError(message, inner);
    }

    static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
