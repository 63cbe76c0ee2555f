using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Google.Protobuf;

namespace FastStyle.Inference.Onnx;

/// <summary>
/// Appends nodes and constant initializers to an ONNX <see cref="GraphProto"/>. Nodes must be
/// added in topological order (ONNX IR, "Graphs": the node list is sorted topologically).
/// </summary>
internal sealed class OnnxGraphBuilder
{
    public GraphProto Graph { get; }

    public OnnxGraphBuilder(string graphName) => Graph = new GraphProto { Name = graphName };

    /// <summary>Appends to an existing graph (a rewrite).</summary>
    public OnnxGraphBuilder(GraphProto graph) => Graph = graph;

    /// <summary>Adds one node whose single output is named <paramref name="output"/>; returns that name.</summary>
    public string Node(string opType, string output, IEnumerable<string> inputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = output };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return output;
    }

    /// <summary>A float32 initializer stored as raw_data: the spec requires fixed-width little-endian IEEE 754 there.</summary>
    public string FloatInitializer(string name, long[] dims, ReadOnlySpan<float> values)
    {
        byte[] raw = new byte[values.Length * sizeof(float)];
        if (BitConverter.IsLittleEndian)
            MemoryMarshal.AsBytes(values).CopyTo(raw);
        else
            for (int i = 0; i < values.Length; i++)
                BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(i * sizeof(float)), values[i]);
        return AddInitializer(name, dims, TensorProto.Types.DataType.Float, raw);
    }

    /// <summary>An int64 initializer (pads, axes, indices: the operator specs type these inputs as int64).</summary>
    public string Int64Initializer(string name, long[] dims, params long[] values)
    {
        byte[] raw = new byte[values.Length * sizeof(long)];
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteInt64LittleEndian(raw.AsSpan(i * sizeof(long)), values[i]);
        return AddInitializer(name, dims, TensorProto.Types.DataType.Int64, raw);
    }

    /// <summary>The values of a float32 initializer stored as raw_data (as <see cref="FloatInitializer"/> does) or float_data.</summary>
    public float[] FloatValues(string name)
    {
        var tensor = Graph.Initializer.Single(t => t.Name == name);
        if (tensor.FloatData.Count > 0) return tensor.FloatData.ToArray();
        var raw = tensor.RawData.Span;
        var values = new float[raw.Length / sizeof(float)];
        for (int i = 0; i < values.Length; i++)
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw[(i * sizeof(float))..]);
        return values;
    }

    /// <summary>The values of an int64 initializer stored as raw_data or int64_data.</summary>
    public long[] Int64Values(string name)
    {
        var tensor = Graph.Initializer.Single(t => t.Name == name);
        if (tensor.Int64Data.Count > 0) return tensor.Int64Data.ToArray();
        var raw = tensor.RawData.Span;
        var values = new long[raw.Length / sizeof(long)];
        for (int i = 0; i < values.Length; i++)
            values[i] = BinaryPrimitives.ReadInt64LittleEndian(raw[(i * sizeof(long))..]);
        return values;
    }

    public bool HasInitializer(string name) => Graph.Initializer.Any(t => t.Name == name);

    /// <summary>A 1-D int64 constant shared by every node that asks for it by name, added on first use.</summary>
    public string SharedInt64(string name, params long[] values)
        => HasInitializer(name) ? name : Int64Initializer(name, [values.Length], values);

    /// <summary>Drops an initializer that a rewritten layer no longer reads (ORT warns about unused ones).</summary>
    public void RemoveInitializer(string name) => Graph.Initializer.Remove(Graph.Initializer.Single(t => t.Name == name));

    string AddInitializer(string name, long[] dims, TensorProto.Types.DataType type, byte[] raw)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(raw) };
        tensor.Dims.AddRange(dims);
        Graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>A graph input or output of element type float32 with the given (possibly symbolic) dims.</summary>
    public static ValueInfoProto FloatValueInfo(string name, params object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
            shape.Dim.Add(d is string symbol
                ? new TensorShapeProto.Types.Dimension { DimParam = symbol }
                : new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(d, System.Globalization.CultureInfo.InvariantCulture) });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    // Attribute helpers. `type` must always be set (IR >= 2 made it the discriminator for proto3 users).
    public static AttributeProto Int(string name, long value)
        => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value)
        => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto String(string name, string value)
        => new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }
}
