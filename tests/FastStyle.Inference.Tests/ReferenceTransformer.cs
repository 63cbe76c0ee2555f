using FastStyle.Data.Weights;
using FastStyle.Inference;

namespace FastStyle.Inference.Tests;

/// <summary>
/// A deliberately naive forward pass of the transformer in plain loops and double precision,
/// written from the layer description in TransformerArchitecture / TransformerNet, independent of
/// the ONNX graph. It is the oracle the exported model is compared with.
/// </summary>
internal static class ReferenceTransformer
{
    /// <summary>A [C,H,W] tensor in row-major order.</summary>
    internal sealed record Map(int C, int H, int W, double[] V)
    {
        public Map(int c, int h, int w) : this(c, h, w, new double[c * h * w]) { }
        public double this[int c, int y, int x]
        {
            get => V[(c * H + y) * W + x];
            set => V[(c * H + y) * W + x] = value;
        }
    }

    /// <summary>Planar CHW float image of one sample to the clipped network output, same layout.</summary>
    public static float[] Forward(TransformerArchitecture arch, IReadOnlyDictionary<string, TensorData> w, float[] image, int height, int width)
        => Raw(arch, w, image, height, width).Select(v => (float)Math.Clamp(v, 0, 1)).ToArray();

    /// <summary>The unclipped conv_out values, cropped to the input size (planar CHW).</summary>
    public static double[] Raw(TransformerArchitecture arch, IReadOnlyDictionary<string, TensorData> w, float[] image, int height, int width)
    {
        var x = new Map(3, height, width, image.Select(v => (double)v).ToArray());
        int padH = (4 - height % 4) % 4, padW = (4 - width % 4) % 4;
        x = ReflectPad(x, 0, padH, 0, padW);

        x = Relu(Norm(ConvLayer(x, w, "conv1", 1), w, "in1"));
        x = Relu(Norm(ConvLayer(x, w, "conv2", 2), w, "in2"));
        x = Relu(Norm(ConvLayer(x, w, "conv3", 2), w, "in3"));
        for (int r = 1; r <= arch.ResidualBlocks; r++)
        {
            var y = Relu(Norm(ConvLayer(x, w, $"res{r}.conv1", 1), w, $"res{r}.in1"));
            y = Norm(ConvLayer(y, w, $"res{r}.conv2", 1), w, $"res{r}.in2");
            x = new Map(x.C, x.H, x.W, x.V.Zip(y.V, (a, b) => a + b).ToArray());
        }
        x = Relu(Norm(Up(x, w, "up1", arch.Upsample), w, "in4"));
        x = Relu(Norm(Up(x, w, "up2", arch.Upsample), w, "in5"));
        x = ConvLayer(x, w, "conv_out", 1);

        var output = new double[3 * height * width];
        for (int c = 0; c < 3; c++)
            for (int yy = 0; yy < height; yy++)
                for (int xx = 0; xx < width; xx++)
                    output[(c * height + yy) * width + xx] = x[c, yy, xx];
        return output;
    }

    /// <summary>PyTorch/ONNX "reflect": mirror about the edge pixel without repeating it.</summary>
    static int Reflect(int i, int n) => i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;

    static Map ReflectPad(Map x, int top, int bottom, int left, int right)
    {
        var o = new Map(x.C, x.H + top + bottom, x.W + left + right);
        for (int c = 0; c < x.C; c++)
            for (int y = 0; y < o.H; y++)
                for (int xx = 0; xx < o.W; xx++)
                    o[c, y, xx] = x[c, Reflect(y - top, x.H), Reflect(xx - left, x.W)];
        return o;
    }

    static Map ConvLayer(Map x, IReadOnlyDictionary<string, TensorData> w, string name, int stride)
    {
        var weight = w[$"{name}.conv.weight"];
        int k = (int)weight.Shape[2];
        return Conv(ReflectPad(x, k / 2, k / 2, k / 2, k / 2), weight, w[$"{name}.conv.bias"], stride);
    }

    static Map Conv(Map x, TensorData weight, TensorData bias, int stride)
    {
        int outC = (int)weight.Shape[0], k = (int)weight.Shape[2];
        int oh = (x.H - k) / stride + 1, ow = (x.W - k) / stride + 1;
        var o = new Map(outC, oh, ow);
        for (int oc = 0; oc < outC; oc++)
            for (int y = 0; y < oh; y++)
                for (int xx = 0; xx < ow; xx++)
                {
                    double s = bias.Values[oc];
                    for (int ic = 0; ic < x.C; ic++)
                        for (int ky = 0; ky < k; ky++)
                            for (int kx = 0; kx < k; kx++)
                                s += weight.Values[((oc * x.C + ic) * k + ky) * k + kx] * x[ic, y * stride + ky, xx * stride + kx];
                    o[oc, y, xx] = s;
                }
        return o;
    }

    /// <summary>PyTorch ConvTranspose2d(k3, stride 2, padding 1, output_padding 1), weight [in,out,3,3], by scattering.</summary>
    static Map ConvTranspose(Map x, TensorData weight, TensorData bias)
    {
        int outC = (int)weight.Shape[1], k = 3, stride = 2, pad = 1;
        var o = new Map(outC, 2 * x.H, 2 * x.W);
        for (int oc = 0; oc < outC; oc++)
            for (int i = 0; i < o.H * o.W; i++) o.V[oc * o.H * o.W + i] = bias.Values[oc];
        for (int ic = 0; ic < x.C; ic++)
            for (int iy = 0; iy < x.H; iy++)
                for (int ix = 0; ix < x.W; ix++)
                    for (int oc = 0; oc < outC; oc++)
                        for (int ky = 0; ky < k; ky++)
                            for (int kx = 0; kx < k; kx++)
                            {
                                int oy = iy * stride - pad + ky, ox = ix * stride - pad + kx;
                                if (oy < 0 || oy >= o.H || ox < 0 || ox >= o.W) continue;
                                o[oc, oy, ox] += x[ic, iy, ix] * weight.Values[((ic * outC + oc) * k + ky) * k + kx];
                            }
        return o;
    }

    static Map Up(Map x, IReadOnlyDictionary<string, TensorData> w, string name, UpsampleMode mode)
    {
        if (mode == UpsampleMode.Transpose) return ConvTranspose(x, w[$"{name}.conv.weight"], w[$"{name}.conv.bias"]);
        var up = new Map(x.C, 2 * x.H, 2 * x.W);
        for (int c = 0; c < x.C; c++)
            for (int y = 0; y < up.H; y++)
                for (int xx = 0; xx < up.W; xx++)
                    up[c, y, xx] = x[c, y / 2, xx / 2];
        return Conv(ReflectPad(up, 1, 1, 1, 1), w[$"{name}.conv.weight"], w[$"{name}.conv.bias"], 1);
    }

    static Map Norm(Map x, IReadOnlyDictionary<string, TensorData> w, string name)
    {
        var gamma = w[$"{name}.weight"].Values;
        var beta = w[$"{name}.bias"].Values;
        var o = new Map(x.C, x.H, x.W);
        int n = x.H * x.W;
        for (int c = 0; c < x.C; c++)
        {
            double mean = 0, variance = 0;
            for (int i = 0; i < n; i++) mean += x.V[c * n + i];
            mean /= n;
            for (int i = 0; i < n; i++) variance += Math.Pow(x.V[c * n + i] - mean, 2);
            variance /= n; // biased, as torch instance_norm and ONNX InstanceNormalization
            double inv = 1 / Math.Sqrt(variance + TransformerArchitecture.InstanceNormEpsilon);
            for (int i = 0; i < n; i++) o.V[c * n + i] = (x.V[c * n + i] - mean) * inv * gamma[c] + beta[c];
        }
        return o;
    }

    static Map Relu(Map x) => new(x.C, x.H, x.W, x.V.Select(v => Math.Max(v, 0)).ToArray());
}
