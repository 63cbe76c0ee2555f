using FastStyle.Inference.Onnx;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static FastStyle.Inference.Onnx.OnnxGraphBuilder;

namespace FastStyle.Inference.Tests;

/// <summary>
/// <see cref="WinogradRewrite"/> on single-Conv graphs, run by ONNX Runtime against the same graph
/// unrewritten (whole-network parity is in ExportParityTests).
/// </summary>
public sealed class WinogradRewriteTests
{
    const int In = 5, Out = 3;

    /// <summary>input [N, In, H, W] -> Conv(attributes) with bias -> <paramref name="after"/> -> output.</summary>
    static ModelProto Model(string after, params AttributeProto[] convAttributes)
    {
        var g = new OnnxGraphBuilder("test");
        var rng = new Random(4);
        long k = convAttributes.FirstOrDefault(a => a.Name == "kernel_shape")?.Ints[0] ?? 3;
        var w = Enumerable.Range(0, (int)(Out * In * k * k)).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        g.FloatInitializer("w", [Out, In, k, k], w);
        g.FloatInitializer("b", [Out], [0.5f, -0.25f, 2f]);
        string y = g.Node("Conv", "conv", ["input", "w", "b"], convAttributes);
        if (after == "InstanceNormalization")
        {
            g.FloatInitializer("scale", [Out], [1f, 2f, 0.5f]);
            g.FloatInitializer("shift", [Out], [0f, 0.1f, -0.1f]);
            g.Node("InstanceNormalization", "output", [y, "scale", "shift"], Float("epsilon", 1e-5f));
        }
        else g.Node(after, "output", [y]);
        g.Graph.Input.Add(FloatValueInfo("input", "N", In, "H", "W"));
        g.Graph.Output.Add(FloatValueInfo("output", "N", Out, "OH", "OW"));
        var model = new ModelProto { IrVersion = TransformerOnnxExporter.IrVersion, Graph = g.Graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = TransformerOnnxExporter.OpsetVersion });
        return model;
    }

    static float[] Run(ModelProto model, int n, int h, int w)
    {
        var rng = new Random(9);
        var x = Enumerable.Range(0, n * In * h * w).Select(_ => (float)rng.NextDouble()).ToArray();
        using var session = new InferenceSession(model.ToByteArray());
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", new DenseTensor<float>(x, [n, In, h, w]))]);
        return results.First().AsEnumerable<float>().ToArray();
    }

    static double MaxDifference(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        return a.Zip(b, (p, q) => Math.Abs(p - q)).Max();
    }

    [Theory]
    [InlineData(2, 14, 10)] // 12x8 outputs: whole tiles
    [InlineData(1, 9, 15)]  // 7x13: the last row and column of tiles partial
    [InlineData(1, 3, 3)]   // one output pixel
    public void ConvFollowedByReluKeepsItsBias(int n, int h, int w)
    {
        var direct = Run(Model("Relu"), n, h, w);
        var model = Model("Relu");

        Assert.Equal(1, WinogradRewrite.Apply(model.Graph));

        Assert.Contains(model.Graph.Node, node => node.OpType == "Add");
        Assert.DoesNotContain(model.Graph.Initializer, t => t.Name is "w" or "b");
        Assert.True(MaxDifference(direct, Run(model, n, h, w)) < 1e-5);
    }

    [Fact]
    public void BiasBeforeInstanceNormIsDropped()
    {
        var direct = Run(Model("InstanceNormalization"), 2, 11, 13);
        var model = Model("InstanceNormalization");

        Assert.Equal(1, WinogradRewrite.Apply(model.Graph));

        Assert.DoesNotContain(model.Graph.Node, node => node.OpType == "Add");
        Assert.True(MaxDifference(direct, Run(model, 2, 11, 13)) < 1e-4);
    }

    static AttributeProto[] Convolution(string kind) => kind switch
    {
        "stride 2" => [Ints("kernel_shape", 3, 3), Ints("strides", 2, 2)],
        "zero padding" => [Ints("kernel_shape", 3, 3), Ints("pads", 1, 1, 1, 1)],
        "dilation 2" => [Ints("kernel_shape", 3, 3), Ints("dilations", 2, 2)],
        "5x5" => [Ints("kernel_shape", 5, 5)],
        "auto pad" => [Ints("kernel_shape", 3, 3), String("auto_pad", "SAME_UPPER")],
        _ => throw new ArgumentException(kind),
    };

    [Theory]
    [InlineData("stride 2")]
    [InlineData("zero padding")]
    [InlineData("dilation 2")]
    [InlineData("5x5")]
    [InlineData("auto pad")]
    public void OtherConvolutionsAreLeftAlone(string kind)
    {
        var attributes = Convolution(kind);
        var model = Model("Relu", attributes);
        string before = model.ToString();

        Assert.Equal(0, WinogradRewrite.Apply(model.Graph));
        Assert.Equal(before, model.ToString());
    }
}
