using FastStyle.Data;
using FastStyle.Data.Weights;
using FastStyle.Inference;
using FastStyle.Training.Networks;
using TorchSharp;
using static TorchSharp.torch;
using UpsampleMode = FastStyle.Inference.UpsampleMode;

namespace FastStyle.Training.Tests;

public class TransformerNetTests
{
    static TransformerNet Tiny(UpsampleMode mode, int seed)
    {
        torch.manual_seed(seed);
        return new TransformerNet(new TransformerArchitecture(BaseChannels: 4, ResidualBlocks: 1, Upsample: mode));
    }

    static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    [Theory]
    [InlineData(UpsampleMode.Nearest)]
    [InlineData(UpsampleMode.Transpose)]
    public void Output_has_the_input_size_for_any_size(UpsampleMode mode)
    {
        using var net = Tiny(mode, 1);
        foreach (long[] shape in new[] { new long[] { 1, 3, 17, 23 }, [2, 3, 20, 12], [1, 3, 16, 16], [1, 3, 5, 7] })
        {
            using var scope = torch.NewDisposeScope();
            var x = Fixtures.RandomTensor(shape, 3);
            var y = net.call(x);
            Assert.Equal(shape, y.shape);
            Assert.Equal(ScalarType.Float32, y.dtype);
            Assert.True(y.isfinite().all().item<bool>());
            var s = net.Stylize(x);
            Assert.True(s.min().item<float>() >= 0 && s.max().item<float>() <= 1);
        }
    }

    [Theory]
    [InlineData(UpsampleMode.Nearest)]
    [InlineData(UpsampleMode.Transpose)]
    public void Export_then_load_reproduces_the_outputs(UpsampleMode mode)
    {
        using var scope = torch.NewDisposeScope();
        using var a = Tiny(mode, 1);
        using var b = Tiny(mode, 2);
        var x = Fixtures.RandomTensor([2, 3, 13, 18], 4);
        var ya = a.Stylize(x);
        Assert.False(Same(ya, b.Stylize(x)), "differently seeded networks should differ");

        var weights = a.ExportWeights();
        Assert.Equal(a.named_parameters().Select(p => p.name).Order(), weights.Keys.Order());
        Assert.Contains("conv1.conv.weight", weights.Keys);
        Assert.Contains("res1.conv2.conv.weight", weights.Keys);
        Assert.Contains("up1.conv.weight", weights.Keys);
        Assert.Contains("in5.bias", weights.Keys);
        Assert.Equal(mode == UpsampleMode.Nearest ? new long[] { 8, 16, 3, 3 } : [16, 8, 3, 3], weights["up1.conv.weight"].Shape);

        // Through a safetensors file too, as a checkpoint/export would.
        using var dir = new TempDir();
        SafetensorsFile.Write(dir.File("w.safetensors"), weights.Values);
        b.LoadWeights(SafetensorsFile.Read(dir.File("w.safetensors")).Tensors, "w.safetensors");
        Assert.True(Same(ya, b.Stylize(x)), "outputs differ after ExportWeights/LoadWeights");
        Assert.True(Same(a.call(x), b.call(x)));
    }

    [Theory]
    [InlineData(UpsampleMode.Nearest)]
    [InlineData(UpsampleMode.Transpose)]
    public void Parameters_have_the_names_and_shapes_of_the_exporters_weight_layout(UpsampleMode mode)
    {
        var arch = new TransformerArchitecture(BaseChannels: 4, ResidualBlocks: 2, Upsample: mode);
        using var net = new TransformerNet(arch);
        Assert.Equal(
            TransformerWeightLayout.Expected(arch).Select(e => $"{e.Name} [{string.Join(",", e.Shape)}]").Order(),
            net.named_parameters().Select(p => $"{p.name} [{string.Join(",", p.parameter.shape)}]").Order());
    }

    [Fact]
    public void LoadWeights_names_a_wrong_shape_or_missing_tensor()
    {
        using var net = Tiny(UpsampleMode.Nearest, 1);
        var weights = net.ExportWeights();
        weights["res1.conv1.conv.weight"] = new TensorData("res1.conv1.conv.weight", [16, 16, 5, 5], new float[16 * 16 * 25]);
        var e = Assert.Throws<FastStyleError>(() => net.LoadWeights(weights, "bad.safetensors"));
        Assert.Contains("'res1.conv1.conv.weight'", e.Message);
        Assert.Contains("[16,16,5,5]", e.Message);
        Assert.Contains("[16,16,3,3]", e.Message);
        Assert.Contains("bad.safetensors", e.Message);

        weights = net.ExportWeights();
        weights.Remove("in3.weight");
        var e2 = Assert.Throws<FastStyleError>(() => net.LoadWeights(weights, "bad.safetensors"));
        Assert.Contains("missing tensor 'in3.weight'", e2.Message);
    }

    [Fact]
    public void Bfloat16_input_computes_in_bfloat16_and_returns_float32()
    {
        using var scope = torch.NewDisposeScope();
        using var net = Tiny(UpsampleMode.Nearest, 1);
        var x = Fixtures.RandomTensor([1, 3, 12, 12], 5);
        var y32 = net.call(x);
        var y16 = net.call(x.to(ScalarType.BFloat16));
        Assert.Equal(ScalarType.Float32, y16.dtype);
        Assert.Equal(ScalarType.Float32, net.parameters().First().dtype); // master weights stay fp32
        double diff = (y32 - y16).abs().max().item<float>();
        Assert.True(diff > 0 && diff < 0.1, $"bf16 vs fp32 max difference {diff}");
    }
    /// <summary>
    /// The layers computed in a cheaper equivalent form (phases at low resolution, conv_out as 4x4
    /// phases) must give what their definitions give: nearest x2 resize, reflection pad 1, 3x3 conv; and
    /// reflection pad k/2, kxk conv. Values and the gradients of input and weights, on odd sizes.
    /// </summary>
    [Fact]
    public void Upsample_and_output_conv_compute_their_definitions_values_and_gradients()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(5);
        var up = new UpsampleLayer(6, 5, UpsampleMode.Nearest);
        var upConv = up.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        AssertSameFunction(x => up.call(x),
            x => nn.functional.conv2d(nn.functional.pad(nn.functional.interpolate(x, scale_factor: [2, 2], mode: InterpolationMode.Nearest),
                [1, 1, 1, 1], PaddingModes.Reflect), upConv["conv.weight"].to(x.dtype), upConv["conv.bias"].to(x.dtype)),
            [2, 6, 7, 9], upConv.Values);

        var output = new OutputConvLayer(5, 3, 9);
        var outConv = output.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        AssertSameFunction(x => output.call(x),
            x => nn.functional.conv2d(nn.functional.pad(x, [4, 4, 4, 4], PaddingModes.Reflect), outConv["conv.weight"].to(x.dtype), outConv["conv.bias"].to(x.dtype)),
            [2, 5, 12, 16], outConv.Values);
    }

    /// <summary>
    /// Output channel counts that are not a multiple of 16 (narrow networks): libtorch's CPU convolution gets the
    /// input gradient (batch over 1) and bfloat16 values wrong there on some CPUs (BlockAlignedConv); the layer must not.
    /// </summary>
    [Theory]
    [InlineData(3, 4, 1)]
    [InlineData(16, 12, 1)]
    [InlineData(8, 20, 2)]
    [InlineData(16, 32, 1)]
    public void Conv_layers_of_any_width_compute_their_definitions_values_and_gradients(int inChannels, int outChannels, int stride)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(6);
        var layer = new ConvLayer(inChannels, outChannels, 3, stride);
        var conv = layer.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        AssertSameFunction(x => layer.call(x),
            x => nn.functional.conv2d(nn.functional.pad(x, [1, 1, 1, 1], PaddingModes.Reflect), conv["conv.weight"].to(x.dtype), conv["conv.bias"].to(x.dtype), strides: [stride, stride]),
            [2, inChannels, 11, 9], conv.Values);

        var x = Fixtures.RandomTensor([1, inChannels, 11, 9], 7);
        var expected = nn.functional.conv2d(nn.functional.pad(x.to(ScalarType.Float64), [1, 1, 1, 1], PaddingModes.Reflect),
            conv["conv.weight"].to(ScalarType.Float64), conv["conv.bias"].to(ScalarType.Float64), strides: [stride, stride]);
        var bfloat16 = layer.call(x.to(ScalarType.BFloat16)).to(ScalarType.Float64);
        double relative = (bfloat16 - expected).norm().to(ScalarType.Float64).item<double>() / expected.norm().to(ScalarType.Float64).item<double>();
        Assert.True(relative < 0.02, $"bf16 values off by {relative:P1} (relative)");
    }

    static void AssertSameFunction(Func<Tensor, Tensor> actual, Func<Tensor, Tensor> definition, long[] inputShape, IEnumerable<Tensor> parameters)
    {
        var weights = parameters.ToList();
        var x = Fixtures.RandomTensor(inputShape, 11).requires_grad_(true);
        var y = actual(x);
        // The definition runs in float64 (cast from the same leaves): libtorch's float32 CPU convolution is
        // itself wrong for some shapes on some CPUs (BlockAlignedConv), so it cannot be the reference.
        var expected = definition(x.to(ScalarType.Float64));
        Assert.Equal(expected.shape, y.shape);
        double valueGap = MaxAbs(y.to(ScalarType.Float64) - expected);
        Assert.True(valueGap < 1e-5, $"values differ by {valueGap}");
        // A fixed random cotangent, so every output position weighs differently in the gradients.
        var cotangent = Fixtures.RandomTensor(y.shape, 12);
        var got = torch.autograd.grad([y], [x, .. weights], [cotangent]);
        var want = torch.autograd.grad([expected], [x, .. weights], [cotangent.to(ScalarType.Float64)]);
        for (int i = 0; i < got.Count; i++)
        {
            double gap = MaxAbs(got[i].to(ScalarType.Float64) - want[i].to(ScalarType.Float64));
            Assert.True(gap < 1e-4 * (1 + MaxAbs(want[i])), $"gradient {i} differs by {gap}");
        }
    }

    static double MaxAbs(Tensor t)
    {
        using var max = t.abs().max().to(ScalarType.Float64);
        return max.item<double>();
    }
}
