using static FastStyle.Inference.Onnx.OnnxGraphBuilder;

namespace FastStyle.Inference.Onnx;

/// <summary>
/// Emits the transformer's nodes; weight initializers must already be in the graph under their
/// state-dict names. Layer order and padding follow TransformerNet.forward (src/Training).
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
        string four = g.Int64Initializer("const_four", [], 4);
        string rem = g.Node("Mod", "hw_mod4", [hw, four]);
        string missing = g.Node("Sub", "hw_4_minus_mod", [four, rem]);
        string padHw = g.Node("Mod", "hw_pad", [missing, four]);
        // Pad's pads input is [x1_begin, x2_begin, x3_begin, x4_begin, x1_end, ..., x4_end] (ONNX Pad-13):
        // all begins and the N, C ends are 0; the H, W ends are the computed pads.
        string pads = g.Node("Concat", "input_pads", [g.Int64Initializer("const_zero6", [6], 0, 0, 0, 0, 0, 0), padHw], Int("axis", 0));
        string x = g.Node("Pad", "input_padded", [input, pads], String("mode", "reflect"));

        long c = arch.BaseChannels;
        x = Relu(Norm("in1", ConvLayer("conv1", x, 9, 1)));
        x = Relu(Norm("in2", ConvLayer("conv2", x, 3, 2)));
        x = Relu(Norm("in3", ConvLayer("conv3", x, 3, 2)));
        for (int r = 1; r <= arch.ResidualBlocks; r++)
        {
            string p = $"res{r}";
            string y = Norm($"{p}.in2", ConvLayer($"{p}.conv2", Relu(Norm($"{p}.in1", ConvLayer($"{p}.conv1", x, 3, 1))), 3, 1));
            x = g.Node("Add", $"{p}.out", [x, y]);
        }
        x = Relu(Norm("in4", Upsample("up1", x)));
        x = Relu(Norm("in5", Upsample("up2", x)));
        x = ConvLayer("conv_out", x, 9, 1);

        // Crop to the input's H, W (Slice-13: starts, ends, axes inputs), then clip like TransformerNet.Stylize.
        string cropped = g.Node("Slice", "output_cropped",
            [x, g.Int64Initializer("const_zero2", [2], 0, 0), hw, g.Int64Initializer("const_crop_axes", [2], 2, 3)]);
        g.Node("Clip", output, [cropped, g.FloatInitializer("const_clip_min", [], [0f]), g.FloatInitializer("const_clip_max", [], [1f])]);
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
        => g.Node("InstanceNormalization", $"{name}.out", [x, $"{name}.weight", $"{name}.bias"],
            Float("epsilon", TransformerArchitecture.InstanceNormEpsilon));

    string Relu(string x) => g.Node("Relu", $"{x}.relu", [x]);

    string Upsample(string name, string x)
    {
        if (arch.Upsample == UpsampleMode.Transpose)
        {
            // PyTorch ConvTranspose2d(k3, s2, p1, output_padding 1): out = (in-1)*2 - 2 + 3 + 1 = 2*in.
            return g.Node("ConvTranspose", $"{name}.out", [x, $"{name}.conv.weight", $"{name}.conv.bias"],
                Ints("kernel_shape", 3, 3), Ints("strides", 2, 2), Ints("pads", 1, 1, 1, 1), Ints("output_padding", 1, 1));
        }
        // torch nearest interpolation picks src = floor(dst * in/out): Resize's "asymmetric"
        // coordinates with nearest_mode "floor" (ONNX Resize-13). roi is unused, passed as "".
        string scales = g.Graph.Initializer.Any(t => t.Name == "const_upsample_scales")
            ? "const_upsample_scales"
            : g.FloatInitializer("const_upsample_scales", [4], [1f, 1f, 2f, 2f]);
        string up = g.Node("Resize", $"{name}.resize", [x, "", scales],
            String("mode", "nearest"), String("coordinate_transformation_mode", "asymmetric"), String("nearest_mode", "floor"));
        string padded = ReflectPad($"{name}.pad", up, 1);
        return g.Node("Conv", $"{name}.out", [padded, $"{name}.conv.weight", $"{name}.conv.bias"],
            Ints("kernel_shape", 3, 3), Ints("strides", 1, 1));
    }
}
