using FastStyle.Data;
using static FastStyle.Inference.Onnx.OnnxGraphBuilder;

namespace FastStyle.Inference.Onnx;

/// <summary>
/// Rewrites a graph's unpadded 3x3 stride-1 convolutions (the transformer's residual convolutions,
/// whose reflection padding is a Pad before them) into Winograd F(4x4,3x3) made of standard ONNX
/// operators, so ONNX Runtime does 36 multiplications per 4x4 outputs instead of 144:
///   tiles     Conv with group = C and 36 fixed 6x6 kernels per channel (B^T d B), stride 4, zero pad 3
///             at the end (H' = H-2 outputs need ceil(H'/4) tiles) -> [N, C*36, Th, Tw]
///   points    Reshape [N, C, 36, T], Transpose -> [N, 36, C, T]
///   products  MatMul with the transformed filters (G g G^T) [36, Cout, C] -> [N, 36, Cout, T]
///   outputs   MatMul with A^T (x) A^T [16, 36] over the points -> [N, 16, Cout*T], Reshape
///             [N, 16*Cout, Th, Tw], DepthToSpace 4 (DCR: channel (4i+j)*Cout+o is pixel (4ty+i, 4tx+j))
///             -> [N, Cout, 4Th, 4Tw], Slice to [H-2, W-2].
/// Why here and not in the exported file: the saving is ONNX Runtime's on some CPUs (MLAS's direct
/// AVX2 convolutions already run near the FMA rate), the file stays the plain portable graph, and the
/// transformed filters are 4x the weights. A bias that an instance norm cancels (the per-plane mean is
/// subtracted) is dropped; any other bias is added after.
/// </summary>
internal static class WinogradRewrite
{
    const int Points = WinogradF4x3.Points;
    const int Tile = WinogradF4x3.OutputTile;

    /// <summary>Rewrites every eligible Conv in place; returns how many.</summary>
    public static int Apply(GraphProto graph)
    {
        var g = new OnnxGraphBuilder(graph);
        var nodes = graph.Node.ToList();
        var consumers = nodes.SelectMany(n => n.Input.Select(i => (Input: i, Node: n)))
            .ToLookup(p => p.Input, p => p.Node);
        var outputs = graph.Output.Select(o => o.Name).ToHashSet();
        graph.Node.Clear();
        int rewritten = 0;
        foreach (var node in nodes)
        {
            var filter = Eligible(g, node);
            if (filter is null)
            {
                graph.Node.Add(node);
                continue;
            }
            var (weight, cout, cin) = filter.Value;
            string? bias = node.Input.Count > 2 && node.Input[2] != "" ? node.Input[2] : null;
            bool biasCancels = !outputs.Contains(node.Output[0]) && consumers[node.Output[0]].All(n => NormalisesPlanes(n, consumers, g));
            Emit(g, node, weight, cout, cin, bias is null || biasCancels ? null : g.FloatValues(bias));
            foreach (string? used in new[] { node.Input[1], bias })
                if (used is not null && consumers[used].Count() == 1)
                    g.RemoveInitializer(used);
            rewritten++;
        }
        return rewritten;
    }

    /// <summary>The filter of a Conv this rewrite computes exactly, or null.</summary>
    static (float[] Weight, int Out, int In)? Eligible(OnnxGraphBuilder g, NodeProto node)
    {
        if (node.OpType != "Conv" || node.Domain != "" || node.Input.Count < 2) return null;
        foreach (var a in node.Attribute)
        {
            bool plain = a.Name switch
            {
                "kernel_shape" => a.Ints.SequenceEqual([3L, 3L]),
                "strides" or "dilations" => a.Ints.All(v => v == 1),
                "pads" => a.Ints.All(v => v == 0),
                "group" => a.I == 1,
                "auto_pad" => a.S.ToStringUtf8() is "NOTSET" or "VALID",
                _ => false,
            };
            if (!plain) return null;
        }
        var w = g.Graph.Initializer.FirstOrDefault(t => t.Name == node.Input[1]);
        if (w is null || w.DataType != (int)TensorProto.Types.DataType.Float || w.Dims.Count != 4 || w.Dims[2] != 3 || w.Dims[3] != 3)
            return null;
        var values = g.FloatValues(w.Name);
        int cout = (int)w.Dims[0], cin = (int)w.Dims[1];
        if (values.Length != cout * cin * 9) return null;
        return (values, cout, cin);
    }

    /// <summary>
    /// Whether <paramref name="node"/> subtracts each (sample, channel) plane's mean from the Conv's
    /// output: an InstanceNormalization, or a Reshape that keeps H and W (multi-style models fold the
    /// batch into the channels) feeding only instance norms.
    /// </summary>
    static bool NormalisesPlanes(NodeProto node, ILookup<string, NodeProto> consumers, OnnxGraphBuilder g)
    {
        if (node.OpType == "InstanceNormalization") return true;
        if (node.OpType != "Reshape") return false;
        var shape = g.Graph.Initializer.FirstOrDefault(t => t.Name == node.Input[1]);
        if (shape is null) return false;
        var dims = g.Int64Values(shape.Name);
        return dims.Length == 4 && dims[2] == 0 && dims[3] == 0
            && consumers[node.Output[0]].All(n => n.OpType == "InstanceNormalization" && n.Input[0] == node.Output[0]);
    }

    static void Emit(OnnxGraphBuilder g, NodeProto conv, float[] weight, int cout, int cin, float[]? bias)
    {
        string x = conv.Input[0], y = conv.Output[0], name = conv.Name == "" ? y : conv.Name;

        string filter = g.FloatInitializer($"{name}.winograd_filter", [Points, cout, cin], WinogradF4x3.TransformFilters(weight, cout, cin));

        string tiles = g.Node("Conv", $"{name}.winograd_tiles", [x, DataTransform(g, cin)],
            Ints("kernel_shape", WinogradF4x3.InputTile, WinogradF4x3.InputTile), Ints("strides", Tile, Tile),
            Ints("pads", 0, 0, Tile - 1, Tile - 1), Int("group", cin));
        string grid = SpatialSize(g, tiles, $"{name}.winograd_grid");
        string points = g.Node("Transpose", $"{name}.winograd_points", [
                g.Node("Reshape", $"{name}.winograd_tiles_4d", [tiles, g.SharedInt64($"const_winograd_shape_{cin}_points", 0, cin, Points, -1)])],
            Ints("perm", 0, 2, 1, 3));
        string products = g.Node("MatMul", $"{name}.winograd_products", [filter, points]);
        string flat = g.Node("Reshape", $"{name}.winograd_products_3d", [products, g.SharedInt64("const_winograd_shape_points", 0, Points, -1)]);
        string phases = g.Node("MatMul", $"{name}.winograd_outputs", [OutputTransform(g), flat]);
        string phaseShape = g.Node("Concat", $"{name}.winograd_phase_shape", [g.SharedInt64($"const_winograd_shape_{cout}_phases", 0, Tile * Tile * cout), grid], Int("axis", 0));
        string full = g.Node("DepthToSpace", $"{name}.winograd_full", [g.Node("Reshape", $"{name}.winograd_phases", [phases, phaseShape])],
            Int("blocksize", Tile), String("mode", "DCR"));

        // Crop the whole tiles to the Conv's output size, H-2 by W-2.
        string outputHw = g.Node("Sub", $"{name}.winograd_output_hw", [SpatialSize(g, x, $"{name}.winograd_input_hw"), g.SharedInt64("const_winograd_two2", 2, 2)]);
        var cropInputs = new[] { full, g.SharedInt64("const_winograd_zero2", 0, 0), outputHw, g.SharedInt64("const_winograd_axes_hw", 2, 3) };
        if (bias is null)
        {
            g.Node("Slice", y, cropInputs);
            return;
        }
        string cropped = g.Node("Slice", $"{name}.winograd_cropped", cropInputs);
        g.Node("Add", y, [cropped, g.FloatInitializer($"{name}.winograd_bias", [cout, 1, 1], bias)]);
    }

    /// <summary>[H, W] of an NCHW tensor at run time (int64, 2 values).</summary>
    static string SpatialSize(OnnxGraphBuilder g, string tensor, string name)
        => g.Node("Slice", name, [g.Node("Shape", $"{name}_of_shape", [tensor]),
            g.SharedInt64("const_winograd_from2", 2), g.SharedInt64("const_winograd_to4", 4)]);

    /// <summary>B^T d B as a grouped Conv's weight: per channel, kernel p = 6i+j holds B^T[i,a] * B^T[j,b] at (a, b).</summary>
    static string DataTransform(OnnxGraphBuilder g, int channels)
    {
        string name = $"const_winograd_data_transform_{channels}";
        if (g.HasInitializer(name)) return name;
        const int k = WinogradF4x3.InputTile;
        var one = KroneckerSquare(WinogradF4x3.BT, k, k);
        var all = new float[channels * one.Length];
        for (int c = 0; c < channels; c++) one.CopyTo(all, c * one.Length);
        return g.FloatInitializer(name, [channels * Points, 1, k, k], all);
    }

    /// <summary>A^T Y A as one [16, 36] matrix: row 4i+j, column 6p+q holds A^T[i,p] * A^T[j,q].</summary>
    static string OutputTransform(OnnxGraphBuilder g)
    {
        const string name = "const_winograd_output_transform";
        if (g.HasInitializer(name)) return name;
        return g.FloatInitializer(name, [Tile * Tile, Points], KroneckerSquare(WinogradF4x3.AT, Tile, WinogradF4x3.InputTile));
    }

    /// <summary>
    /// M (x) M of a rows x cols row-major matrix: entry (i*rows+j, p*cols+q) is M[i,p] * M[j,q], the matrix that
    /// applies M on both sides of a cols x cols tile (M X M^T) flattened row by row.
    /// </summary>
    static float[] KroneckerSquare(ReadOnlySpan<double> m, int rows, int cols)
    {
        var result = new float[rows * rows * cols * cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < rows; j++)
                for (int p = 0; p < cols; p++)
                    for (int q = 0; q < cols; q++)
                        result[(i * rows + j) * cols * cols + p * cols + q] = (float)(m[i * cols + p] * m[j * cols + q]);
        return result;
    }
}
