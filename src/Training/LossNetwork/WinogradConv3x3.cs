using FastStyle.Data;
using FastStyle.Training.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TorchSharp;
using static TorchSharp.torch;

namespace FastStyle.Training.LossNetwork;

/// <summary>
/// A frozen 3x3 convolution (stride 1, padding 1, float32) computed with Winograd's minimal filtering
/// F(4x4,3x3) (Lavin and Gray 2016): each 6x6 input tile and each filter are transformed, multiplied
/// point by point as 36 matrix products over the channels, and transformed back into a 4x4 output
/// tile; 36 multiplications per 16 outputs instead of 144. Why: in per-image optimisation both the
/// forward pass and the gradient to the image are such convolutions with fixed weights, and oneDNN's
/// direct AVX2 kernels already run at the CPU's FMA rate, so fewer multiplications is the only way
/// to go faster there (issue 10; oneDNN has a Winograd kernel for AVX-512 only). The data gradient
/// is the same kind of convolution with the filter flipped and its channels swapped, so both
/// directions reuse this code with filters transformed once.
/// Tiles are processed in chunks that keep the transformed data in cache; the transforms are
/// 8-channel vector code over channels_last tensors, the products are libtorch's batched GEMM.
/// Memory: the two transformed filters hold 8x the weight's floats (36/9 per direction), the price of
/// not transforming them on every call (VGG-19 to relu5_1: about 0.65 GB).
/// </summary>
public sealed class WinogradConv3x3 : IDisposable
{
    const int Points = WinogradF4x3.Points;
    const int OutTile = WinogradF4x3.OutputTile;
    const int Lanes = 8;   // Vector256<float>
    // The data transform B^T and output transform A^T of WinogradF4x3 are written out as register code in
    // InputTransform and OutputTransform.

    readonly Tensor forwardFilter;  // [36, in, out]
    readonly Tensor backwardFilter; // [36, out, in]
    readonly float[] bias;
    readonly float[] noBias;

    public int InChannels { get; }
    public int OutChannels { get; }

    /// <summary>Whether this CPU and these channel counts can use the vector code (whole 8-channel vectors).</summary>
    public static bool Supports(int inChannels, int outChannels)
        => Vector256.IsHardwareAccelerated && inChannels % Lanes == 0 && outChannels % Lanes == 0;

    /// <param name="weight">[out, in, 3, 3]</param>
    /// <param name="bias">[out], or null</param>
    public WinogradConv3x3(Tensor weight, Tensor? bias)
    {
        OutChannels = (int)weight.shape[0];
        InChannels = (int)weight.shape[1];
        if (weight.dim() != 4 || weight.shape[2] != 3 || weight.shape[3] != 3 || !Supports(InChannels, OutChannels))
            throw new ArgumentException($"Winograd F(4x4,3x3) needs a [out,in,3,3] weight with channels in multiples of {Lanes}, got [{string.Join(",", weight.shape)}]");
        using (torch.NewDisposeScope())
        {
            var w = weight.detach().to(ScalarType.Float32);
            forwardFilter = TransformFilter(w).MoveToOuterDisposeScope();
            // d(conv)/d(input) is the correlation of the output gradient with the filter rotated by 180
            // degrees and its in/out channels swapped, again 3x3 with padding 1.
            backwardFilter = TransformFilter(w.flip(2, 3).transpose(0, 1)).MoveToOuterDisposeScope();
        }
        this.bias = bias is null ? new float[OutChannels] : TensorDataCopies.ToData("bias", bias).Values;
        noBias = new float[InChannels];
    }

    /// <summary>G g G^T of every (out, in) filter pair, laid out [36, in, out] so a chunk is V [36, tiles, in] @ U.</summary>
    static Tensor TransformFilter(Tensor weight)
    {
        int outs = (int)weight.shape[0], ins = (int)weight.shape[1];
        var transformed = WinogradF4x3.TransformFilters(weight.contiguous().data<float>().ToArray(), outs, ins);
        using var pointOutIn = torch.tensor(transformed, [Points, outs, ins]);
        return pointOutIn.transpose(1, 2).contiguous();
    }

    /// <summary>conv2d(input, weight, bias, padding 1) of a float32 [N, in, H, W] tensor; the result is channels_last.</summary>
    public Tensor Forward(Tensor input) => Convolve(input, forwardFilter, InChannels, OutChannels, bias);

    /// <summary>The gradient of <see cref="Forward"/>'s input for the gradient of its output [N, out, H, W].</summary>
    public Tensor InputGradient(Tensor outputGradient) => Convolve(outputGradient, backwardFilter, OutChannels, InChannels, noBias);

    /// <summary>Forward as an autograd operation whose backward is <see cref="InputGradient"/> (the weights are frozen).</summary>
    public Tensor Apply(Tensor input) => WinogradFunction.apply(input, this);

    public void Dispose()
    {
        forwardFilter.Dispose();
        backwardFilter.Dispose();
    }

    /// <summary>
    /// Tiles per chunk: a chunk's transformed input and products (36 x tiles x channels each) stay
    /// within about 4 MB, so they are still in cache when the GEMM and the output transform read them.
    /// </summary>
    static int ChunkTiles(int inChannels, int outChannels)
        => Math.Max(32, (4 << 20) / (Points * sizeof(float) * Math.Max(inChannels, outChannels)));

    static unsafe Tensor Convolve(Tensor input, Tensor filter, int cin, int cout, float[] bias)
    {
        if (input.dtype != ScalarType.Float32 || input.dim() != 4 || input.shape[1] != cin)
            throw new ArgumentException($"expected a float32 [N,{cin},H,W] tensor, got {input.dtype} [{string.Join(",", input.shape)}]");
        int n = (int)input.shape[0], h = (int)input.shape[2], w = (int)input.shape[3];
        // Every intermediate handle is disposed: an undisposed view would keep its base (in backward, each
        // layer's incoming gradient) alive until the step's dispose scope ends.
        using var pixelsFirst = input.permute(0, 2, 3, 1);
        using var nhwc = pixelsFirst.contiguous(); // no copy when already channels_last
        // [N, out, H, W] with channels_last strides, not a permuted view: ReLU runs in place on it, which
        // autograd forbids on a view made inside a custom function.
        var output = torch.empty_strided([n, cout, h, w], [(long)h * w * cout, 1, (long)w * cout, cout], ScalarType.Float32);
        var grid = new TileGrid(h, w, (h + OutTile - 1) / OutTile, (w + OutTile - 1) / OutTile);
        int total = n * grid.TilesPerImage;
        int chunk = Math.Min(total, ChunkTiles(cin, cout));
        // Tile by tile ([tiles, 36, in]): each tile's 36 transformed vectors are written side by side,
        // 1.4x faster than 36 scattered planes; the GEMM reads it as [36, tiles, in] with a row stride.
        using var transformed = torch.empty([chunk, Points, cin], ScalarType.Float32);
        float* x = DataOf(nhwc), v = DataOf(transformed), y = DataOf(output);
        int workers = Math.Max(1, torch.get_num_threads());
        fixed (float* b = bias)
        {
            float* biasPointer = b;
            for (int first = 0; first < total; first += chunk)
            {
                int count = Math.Min(chunk, total - first);
                Parallel.For(0, workers, part =>
                {
                    var (from, to) = Slice(count, workers, part);
                    InputTransform(x, grid, cin, first + from, to - from, v + (long)from * Points * cin);
                });
                using var chunkTiles = transformed.narrow(0, 0, count);
                using var batch = chunkTiles.permute(1, 0, 2);
                using var products = torch.bmm(batch, filter); // [36, count, out], contiguous
                float* m = DataOf(products);
                long pointStride = (long)count * cout;
                Parallel.For(0, workers, part =>
                {
                    var (from, to) = Slice(count, workers, part);
                    OutputTransform(m + (long)from * cout, pointStride, cout, grid, first + from, to - from, y, biasPointer);
                });
            }
        }
        return output;
    }

    static (int From, int To) Slice(int count, int parts, int part) => (count * part / parts, count * (part + 1) / parts);

    readonly record struct TileGrid(int Height, int Width, int TilesHigh, int TilesWide)
    {
        public int TilesPerImage => TilesHigh * TilesWide;
    }

    /// <summary>B^T d B of tiles [first, first+count) into v[tile * 36 * channels + point * channels + channel].</summary>
    // Full optimisation from the first call: a convolution calls this only a few times, too few for tiering.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe void InputTransform(float* x, TileGrid grid, int channels, int first, int count, float* v)
    {
        var rows = stackalloc Vector256<float>[Points]; // d B, row by row
        var offsets = stackalloc long[Points];          // where each tile pixel starts, -1 in the zero padding
        long imageSize = (long)grid.Height * grid.Width * channels;
        for (int k = 0; k < count; k++)
        {
            int tile = first + k;
            int image = tile / grid.TilesPerImage, inImage = tile % grid.TilesPerImage;
            int top = inImage / grid.TilesWide * OutTile - 1, left = inImage % grid.TilesWide * OutTile - 1;
            float* pixels = x + image * imageSize;
            float* dst = v + (long)k * Points * channels;
            for (int i = 0; i < 6; i++)
                for (int j = 0; j < 6; j++)
                {
                    int row = top + i, column = left + j;
                    offsets[i * 6 + j] = (uint)row < (uint)grid.Height && (uint)column < (uint)grid.Width
                        ? ((long)row * grid.Width + column) * channels : -1;
                }
            for (int c = 0; c < channels; c += Lanes)
            {
                for (int i = 0; i < 6; i++)
                {
                    long* o = offsets + i * 6;
                    DataTransform(Pixel(o[0]), Pixel(o[1]), Pixel(o[2]), Pixel(o[3]), Pixel(o[4]), Pixel(o[5]),
                        out rows[i * 6], out rows[i * 6 + 1], out rows[i * 6 + 2], out rows[i * 6 + 3], out rows[i * 6 + 4], out rows[i * 6 + 5]);
                }
                for (int j = 0; j < 6; j++)
                {
                    DataTransform(rows[j], rows[6 + j], rows[12 + j], rows[18 + j], rows[24 + j], rows[30 + j],
                        out var r0, out var r1, out var r2, out var r3, out var r4, out var r5);
                    float* column = dst + j * channels + c; // point (i, j) is i * 6 + j
                    Vector256.Store(r0, column);
                    Vector256.Store(r1, column + 6 * channels);
                    Vector256.Store(r2, column + 12 * channels);
                    Vector256.Store(r3, column + 18 * channels);
                    Vector256.Store(r4, column + 24 * channels);
                    Vector256.Store(r5, column + 30 * channels);
                }

                Vector256<float> Pixel(long offset) => offset >= 0 ? Vector256.Load(pixels + offset + c) : Vector256<float>.Zero;
            }
        }
    }

    /// <summary>B^T of F(4x4,3x3) applied to six vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void DataTransform(Vector256<float> d0, Vector256<float> d1, Vector256<float> d2, Vector256<float> d3, Vector256<float> d4, Vector256<float> d5,
        out Vector256<float> r0, out Vector256<float> r1, out Vector256<float> r2, out Vector256<float> r3, out Vector256<float> r4, out Vector256<float> r5)
    {
        r0 = d0 * 4f - d2 * 5f + d4;
        r1 = d3 + d4 - (d1 + d2) * 4f;
        r2 = (d1 - d2) * 4f + d4 - d3;
        r3 = (d3 - d1) * 2f + d4 - d2;
        r4 = (d1 - d3) * 2f + d4 - d2;
        r5 = d1 * 4f - d3 * 5f + d5;
    }

    /// <summary>A^T m A (+ bias) of tiles [first, first+count) from m[point * pointStride + tile * channels + channel] into NHWC y.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe void OutputTransform(float* m, long pointStride, int channels, TileGrid grid, int first, int count, float* y, float* bias)
    {
        var rows = stackalloc Vector256<float>[6 * OutTile]; // m A, row by row
        long imageSize = (long)grid.Height * grid.Width * channels;
        for (int k = 0; k < count; k++)
        {
            int tile = first + k;
            int image = tile / grid.TilesPerImage, inImage = tile % grid.TilesPerImage;
            int top = inImage / grid.TilesWide * OutTile, left = inImage % grid.TilesWide * OutTile;
            int height = Math.Min(OutTile, grid.Height - top), width = Math.Min(OutTile, grid.Width - left);
            float* pixels = y + image * imageSize + ((long)top * grid.Width + left) * channels;
            float* src = m + (long)k * channels;
            for (int c = 0; c < channels; c += Lanes)
            {
                for (int i = 0; i < 6; i++)
                {
                    float* row = src + i * 6 * pointStride + c;
                    ResultTransform(Vector256.Load(row), Vector256.Load(row + pointStride), Vector256.Load(row + 2 * pointStride),
                        Vector256.Load(row + 3 * pointStride), Vector256.Load(row + 4 * pointStride), Vector256.Load(row + 5 * pointStride),
                        out rows[i * OutTile], out rows[i * OutTile + 1], out rows[i * OutTile + 2], out rows[i * OutTile + 3]);
                }
                var b = Vector256.Load(bias + c);
                for (int j = 0; j < width; j++)
                {
                    ResultTransform(rows[j], rows[OutTile + j], rows[2 * OutTile + j], rows[3 * OutTile + j], rows[4 * OutTile + j], rows[5 * OutTile + j],
                        out var o0, out var o1, out var o2, out var o3);
                    float* column = pixels + (long)j * channels + c;
                    long rowStride = (long)grid.Width * channels;
                    Vector256.Store(o0 + b, column);
                    if (height > 1) Vector256.Store(o1 + b, column + rowStride);
                    if (height > 2) Vector256.Store(o2 + b, column + 2 * rowStride);
                    if (height > 3) Vector256.Store(o3 + b, column + 3 * rowStride);
                }
            }
        }
    }

    /// <summary>A^T of F(4x4,3x3): six vectors to four.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void ResultTransform(Vector256<float> m0, Vector256<float> m1, Vector256<float> m2, Vector256<float> m3, Vector256<float> m4, Vector256<float> m5,
        out Vector256<float> o0, out Vector256<float> o1, out Vector256<float> o2, out Vector256<float> o3)
    {
        Vector256<float> sum12 = m1 + m2, diff12 = m1 - m2, sum34 = m3 + m4, diff34 = m3 - m4;
        o0 = m0 + sum12 + sum34;
        o1 = diff12 + diff34 * 2f;
        o2 = sum12 + sum34 * 4f;
        o3 = diff12 + diff34 * 8f + m5;
    }

    static unsafe float* DataOf(Tensor t) => (float*)THSTensor_data(t.Handle);

    [DllImport("LibTorchSharp")]
    static extern IntPtr THSTensor_data(IntPtr handle);

    /// <summary>
    /// Autograd node: forward and input gradient both by Winograd; no weight gradient (frozen).
    /// Memory: TorchSharp wraps the incoming gradient in a new handle and never releases it, and what we
    /// return (output, gradient) is handed to libtorch by address and wrapped again, so without care
    /// every layer's output and both gradients would stay alive until the step's dispose scope ends (or
    /// the GC runs), where libtorch would have freed them during backward. The incoming gradient is
    /// released here once used; a returned tensor is released at the next call of any Winograd layer,
    /// by which time libtorch holds its own reference to it.
    /// </summary>
    sealed class WinogradFunction : torch.autograd.SingleTensorFunction<WinogradFunction>
    {
        [ThreadStatic] static Tensor? lastReturned;

        public override string Name => nameof(WinogradConv3x3);

        public override Tensor forward(torch.autograd.AutogradContext ctx, params object[] vars)
        {
            lastReturned?.Dispose();
            var conv = (WinogradConv3x3)vars[1];
            ctx.save_data("conv", conv);
            lastReturned = conv.Forward((Tensor)vars[0]);
            return lastReturned;
        }

        // One entry per argument of apply: the input's gradient, and none for the layer itself.
        public override List<Tensor> backward(torch.autograd.AutogradContext ctx, Tensor grad_output)
        {
            lastReturned?.Dispose();
            var gradient = ((WinogradConv3x3)ctx.get_data("conv")).InputGradient(grad_output);
            grad_output.Dispose();
            lastReturned = gradient;
            return [gradient, null!];
        }
    }
}
