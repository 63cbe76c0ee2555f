using static FastStyle.Inference.Onnx.OnnxGraphBuilder;

namespace FastStyle.Inference.Onnx;

/// <summary>
/// Emits the transformer's nodes; weight initializers must already be in the graph under their
/// state-dict names. Stages come from <see cref="TransformerArchitecture.Layers"/>, as TransformerNet's
/// (src/Training); padding and crop follow TransformerNet.forward.
/// Two layers are computed in an equivalent but cheaper form (ONNX Runtime profile at 512 px:
/// together they took ~45% of the run): the nearest-upsampling layers work at the low resolution
/// (<see cref="NearestUpsampleConv"/>) and conv_out computes 4x4 output phases at once
/// (<see cref="OutputConv"/>). Weights of those layers are rewritten at export and the originals
/// dropped from the graph.
/// </summary>
internal sealed class TransformerGraph(OnnxGraphBuilder g, TransformerArchitecture arch)
{
    readonly Dictionary<long, string> reflectPads = new();

    public void Build(string input, string output)
    {
        // Two stride-2 convs then two x2 upsamplings return the input size only for multiples of 4,
        // so H and W are reflection padded at the bottom/right to the next multiple of 4 and the
        // result cropped back. Pads are computed from the runtime shape so one model serves all
        // sizes: pad = (4 - size % 4) % 4, as in TransformerNet.forward.
        string shape = g.Node("Shape", "input_shape", [input]);
        string hw = g.Node("Gather", "input_hw", [shape, g.Int64Initializer("const_hw_axes", [2], 2, 3)], Int("axis", 0));
        string four = g.Int64Initializer("const_four", [], TransformerArchitecture.SizeMultiple);
        string rem = g.Node("Mod", "hw_mod4", [hw, four]);
        string missing = g.Node("Sub", "hw_4_minus_mod", [four, rem]);
        string padHw = g.Node("Mod", "hw_pad", [missing, four]);
        // Pad's pads input is [x1_begin, x2_begin, x3_begin, x4_begin, x1_end, ..., x4_end] (ONNX Pad-13):
        // all begins and the N, C ends are 0; the H, W ends are the computed pads.
        string pads = g.Node("Concat", "input_pads", [g.Int64Initializer("const_zero6", [6], 0, 0, 0, 0, 0, 0), padHw], Int("axis", 0));
        string x = g.Node("Pad", "input_padded", [input, pads], String("mode", "reflect"));

        foreach (var layer in arch.Layers())
        {
            x = layer switch
            {
                { Kind: TransformerLayerKind.Residual } => ResidualBlock(layer.Name, x, layer.Kernel),
                { Kind: TransformerLayerKind.Upsample } => Relu(Norm(layer.Norm!, Upsample(layer.Name, x))),
                { IsOutput: true } => OutputConv(layer.Name, x, layer.Kernel),
                _ => Relu(Norm(layer.Norm!, ConvLayer(layer.Name, x, layer.Kernel, layer.Stride))),
            };
        }

        // Crop to the input's H, W (Slice-13: starts, ends, axes inputs), then clip like TransformerNet.Stylize.
        string cropped = g.Node("Slice", "output_cropped",
            [x, g.Int64Initializer("const_zero2", [2], 0, 0), hw, g.Int64Initializer("const_crop_axes", [2], 2, 3)]);
        g.Node("Clip", output, [cropped, g.FloatInitializer("const_clip_min", [], [0f]), g.FloatInitializer("const_clip_max", [], [1f])]);
    }

    /// <summary>ResidualBlock: [conv1 in1 relu conv2 in2] + x.</summary>
    string ResidualBlock(string name, string x, long kernel)
    {
        string y = Norm($"{name}.in2", ConvLayer($"{name}.conv2", Relu(Norm($"{name}.in1", ConvLayer($"{name}.conv1", x, kernel, 1))), kernel, 1));
        return g.Node("Add", $"{name}.out", [x, y]);
    }

    /// <summary>ConvLayer: reflection pad k/2 on H and W, then an unpadded conv (zero padding leaves border artifacts).</summary>
    string ConvLayer(string name, string x, long kernel, long stride)
    {
        string padded = ReflectPad($"{name}.pad", x, kernel / 2);
        return g.Node("Conv", $"{name}.out", [padded, $"{name}.conv.weight", $"{name}.conv.bias"],
            Ints("kernel_shape", kernel, kernel), Ints("strides", stride, stride));
    }

    string ReflectPad(string output, string x, long p)
    {
        if (!reflectPads.TryGetValue(p, out var pads))
            reflectPads[p] = pads = g.Int64Initializer($"const_reflect_pads_{p}", [8], 0, 0, p, p, 0, 0, p, p);
        return g.Node("Pad", output, [x, pads], String("mode", "reflect"));
    }

    string Norm(string name, string x)
    {
        if (!arch.IsMultiStyle)
            return g.Node("InstanceNormalization", $"{name}.out", [x, $"{name}.weight", $"{name}.bias"],
                Float("epsilon", TransformerArchitecture.InstanceNormEpsilon));
        // Conditional instance norm (Dumoulin et al. 2017): InstanceNormalization's scale and bias are
        // per channel, not per sample, so the batch is folded into the channels ([N,C,H,W] viewed as
        // [1,N*C,H,W]: instance norm treats every (sample, channel) plane alone, so this is exact) and
        // each sample's gamma = style_weights @ weight ([N,S] x [S,C]), likewise beta, flattened to [N*C],
        // become the norm's own scale and bias. Why: a separate Mul and Add over the normalised
        // activations cost 3-7% of a run at 512-1024 px; the folded form is one kernel, as for one style.
        int channels = g.FloatValues($"{name}.weight").Length / arch.Styles;
        string PerPlane(string table)
            => g.Node("Reshape", $"{table}.per_plane", [g.Node("MatMul", $"{table}.mixed", [TransformerOnnxExporter.StyleWeightsName, table]),
                Constant("const_shape_flat", -1)]);
        string folded = g.Node("Reshape", $"{name}.batch_in_channels", [x, Constant("const_shape_1_nc_h_w", 1, -1, 0, 0)]);
        string normalized = g.Node("InstanceNormalization", $"{name}.normalized", [folded, PerPlane($"{name}.weight"), PerPlane($"{name}.bias")],
            Float("epsilon", TransformerArchitecture.InstanceNormEpsilon));
        return g.Node("Reshape", $"{name}.out", [normalized, Constant($"const_shape_n_{channels}_h_w", -1, channels, 0, 0)]);
    }

    string Relu(string x) => g.Node("Relu", $"{x}.relu", [x]);

    string Upsample(string name, string x)
    {
        if (arch.Upsample == UpsampleMode.Transpose)
        {
            // PyTorch ConvTranspose2d(k3, s2, p1, output_padding 1): out = (in-1)*2 - 2 + 3 + 1 = 2*in.
            return g.Node("ConvTranspose", $"{name}.out", [x, $"{name}.conv.weight", $"{name}.conv.bias"],
                Ints("kernel_shape", 3, 3), Ints("strides", 2, 2), Ints("pads", 1, 1, 1, 1), Ints("output_padding", 1, 1));
        }
        return NearestUpsampleConv(name, x);
    }

    /// <summary>Output phases per axis of <see cref="OutputConv"/>; H and W are multiples of 4 there.</summary>
    const int OutputPhases = TransformerArchitecture.SizeMultiple;

    /// <summary>
    /// conv_out (reflection pad 4, 9x9, c -> 3) as a stride-4 conv with 12x12 kernels whose
    /// 3*16 outputs are the 4x4 output phases, reassembled by DepthToSpace (DCR: channel
    /// (a*4+b)*3+o goes to pixel (4i+a, 4j+b)). Phase (a,b) reads padded rows 4i+a+dy, i.e. kernel
    /// row a+dy, so its kernel is the original shifted by (a,b) with zeros elsewhere: the same sums.
    /// Why: the NCHWc convolution pads output channels to blocks of 16, so 3 outputs ran at 3/16
    /// efficiency (conv_out alone was ~30% of a 512 px run); 48 outputs fill three blocks.
    /// </summary>
    string OutputConv(string name, string x, int k)
    {
        const int s = OutputPhases;
        int kk = k + s - 1;
        string wName = $"{name}.conv.weight", bName = $"{name}.conv.bias";
        float[] w = g.FloatValues(wName), bias = g.FloatValues(bName);
        int cout = bias.Length, cin = w.Length / (cout * k * k), phases = s * s;
        var pw = new float[phases * cout * cin * kk * kk];
        var pb = new float[phases * cout];
        for (int a = 0; a < s; a++)
            for (int b = 0; b < s; b++)
                for (int o = 0; o < cout; o++)
                {
                    int po = (a * s + b) * cout + o;
                    pb[po] = bias[o];
                    for (int c = 0; c < cin; c++)
                        for (int dy = 0; dy < k; dy++)
                            for (int dx = 0; dx < k; dx++)
                                pw[((po * cin + c) * kk + a + dy) * kk + b + dx] = w[((o * cin + c) * k + dy) * k + dx];
                }
        g.RemoveInitializer(wName);
        g.RemoveInitializer(bName);
        string padded = ReflectPad($"{name}.pad", x, k / 2);
        string conv = g.Node("Conv", $"{name}.phases", [padded,
                g.FloatInitializer($"{name}.phase_weight", [phases * cout, cin, kk, kk], pw),
                g.FloatInitializer($"{name}.phase_bias", [phases * cout], pb)],
            Ints("kernel_shape", kk, kk), Ints("strides", s, s));
        return g.Node("DepthToSpace", $"{name}.out", [conv], Int("blocksize", s), String("mode", "DCR"));
    }

    /// <summary>
    /// UpsampleLayer (nearest x2, reflection pad 1, 3x3 conv) computed at the low resolution.
    /// The reflect-padded upsampled image P (rows -1..2H) is P[r] = E[floor(r/2)], with E the input
    /// edge padded by 1 (rows -1..H), because the upsampled rows 0,1 and 2H-2,2H-1 are equal. So output
    /// row 2i+a = sum_d W[d] * E[floor((2i+a+d-1)/2)] reads only E rows i-1+a and i+a: a 2-tap kernel
    /// with merged rows (a=0: W0 | W1+W2; a=1: W0+W1 | W2). Same for columns. One 2x2 conv over E
    /// (H+1 x W+1 outputs) computes the four phases as channel groups; phase (a,b) is the H x W window
    /// at (a,b); the phases are then interleaved. 16 instead of 36 multiply-adds per output pixel and
    /// channel pair, and no full-resolution Resize/Pad. (Interleaving by Concat, not DepthToSpace:
    /// ONNX Runtime's DepthToSpace was ~4x slower than the two concats at 512 px.)
    /// </summary>
    string NearestUpsampleConv(string name, string x)
    {
        string wName = $"{name}.conv.weight", bName = $"{name}.conv.bias";
        float[] w = g.FloatValues(wName), bias = g.FloatValues(bName);
        int cout = bias.Length, cin = w.Length / (cout * 9);
        var merged = new double[4 * cout * cin * 4];
        var pb = new float[4 * cout];
        for (int a = 0; a < 2; a++)
            for (int b = 0; b < 2; b++)
                for (int o = 0; o < cout; o++)
                {
                    int po = (a * 2 + b) * cout + o;
                    pb[po] = bias[o];
                    for (int c = 0; c < cin; c++)
                        for (int dy = 0; dy < 3; dy++)
                            for (int dx = 0; dx < 3; dx++)
                            {
                                // E row floor((2i+a+dy-1)/2) = i-1+a + u with tap u = (a+dy+1)/2 - a in {0,1}.
                                int u = (a + dy + 1) / 2 - a, v = (b + dx + 1) / 2 - b;
                                merged[((po * cin + c) * 2 + u) * 2 + v] += w[((o * cin + c) * 3 + dy) * 3 + dx];
                            }
                }
        g.RemoveInitializer(wName);
        g.RemoveInitializer(bName);

        string edgePads = Constant("const_edge_pads_1", 0, 0, 1, 1, 0, 0, 1, 1);
        string padded = g.Node("Pad", $"{name}.pad", [x, edgePads], String("mode", "edge"));
        string conv = g.Node("Conv", $"{name}.phases", [padded,
                g.FloatInitializer($"{name}.phase_weight", [4 * cout, cin, 2, 2], merged.Select(d => (float)d).ToArray()),
                g.FloatInitializer($"{name}.phase_bias", [4 * cout], pb)],
            Ints("kernel_shape", 2, 2), Ints("strides", 1, 1));

        // Phase (a,b): channels [p*cout, (p+1)*cout), rows a..a+H-1 of H+1 (end -1 drops the last), same for columns.
        string Phase(int a, int b)
        {
            int p = a * 2 + b;
            const long toEnd = long.MaxValue;
            return g.Node("Slice", $"{name}.phase{p}", [conv,
                g.Int64Initializer($"{name}.phase{p}_starts", [3], p * cout, a, b),
                g.Int64Initializer($"{name}.phase{p}_ends", [3], (p + 1) * cout, a == 0 ? -1 : toEnd, b == 0 ? -1 : toEnd),
                Constant("const_axes_chw", 1, 2, 3)]);
        }

        // Columns: [N,C,H,W,1] x2 -> [N,C,H,W,2] = [N,C,H,2W]; rows: [N,C,H,2W] x2 -> [N,C,H,4W] = [N,C,2H,2W].
        var rows = new List<string>();
        for (int a = 0; a < 2; a++)
        {
            var cols = new List<string>();
            for (int b = 0; b < 2; b++)
                cols.Add(g.Node("Reshape", $"{name}.phase{a * 2 + b}_5d", [Phase(a, b), Constant("const_shape_nchw1", 0, 0, 0, -1, 1)]));
            string pair = g.Node("Concat", $"{name}.row{a}_pairs", cols, Int("axis", 4));
            rows.Add(g.Node("Reshape", $"{name}.row{a}", [pair, Constant("const_shape_nch_w2", 0, 0, 0, -1)]));
        }
        string both = g.Node("Concat", $"{name}.rows", rows, Int("axis", 3));
        string inShape = g.Node("Shape", $"{name}.in_shape", [x]);
        string outShape = g.Node("Add", $"{name}.out_shape", [
            g.Node("Mul", $"{name}.in_shape_scaled", [inShape, Constant("const_up_shape_scale", 1, 0, 2, 2)]),
            g.Int64Initializer($"{name}.out_channels", [4], 0, cout, 0, 0)]);
        return g.Node("Reshape", $"{name}.out", [both, outShape]);
    }

    string Constant(string name, params long[] values) => g.SharedInt64(name, values);
}
