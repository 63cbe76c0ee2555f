using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace FastStyle.Bench;

/// <summary>
/// Experiment for issue 10 (optimisation evaluation): is a Winograd F(2x2,3x3) convolution built from
/// libtorch operations (tile unfold, 16x16 input transform, 16 batched GEMMs, 16x4 output transform)
/// faster than oneDNN's direct convolution for VGG's 3x3 layers, forward plus the data gradient, with
/// frozen weights as in per-image optimisation? Autograd differentiates the composition, so the
/// backward is a Winograd-domain GEMM too. Not product code: it answers whether the idea is worth one.
/// The second line of each layer times the product's managed F(4x4,3x3) (<see cref="FastStyle.Training.LossNetwork.WinogradConv3x3"/>)
/// against the direct convolution again.
/// Usage: winograd [reps=5] [layers=C:HW[:OUT],...] (default the conv3/conv4/conv5 shapes of a 256 px image)
/// </summary>
static class WinogradProbe
{
    // F(2x2,3x3) (Lavin and Gray 2016): Y = A^T [(G g G^T) * (B^T d B)] A.
    static readonly float[,] BT = { { 1, 0, -1, 0 }, { 0, 1, 1, 0 }, { 0, -1, 1, 0 }, { 0, 1, 0, -1 } };
    static readonly float[,] G = { { 1, 0, 0 }, { 0.5f, 0.5f, 0.5f }, { 0.5f, -0.5f, 0.5f }, { 0, 0, 1 } };
    static readonly float[,] AT = { { 1, 1, 1, 0 }, { 0, 1, -1, -1 } };

    /// <summary>kron(m, m) as [rows^2, cols^2]: row (i,j), column (a,b) holds m[i,a] * m[j,b].</summary>
    static Tensor Kron(float[,] m)
    {
        int r = m.GetLength(0), c = m.GetLength(1);
        var k = new float[r * r * c * c];
        for (int i = 0; i < r; i++)
            for (int j = 0; j < r; j++)
                for (int a = 0; a < c; a++)
                    for (int b = 0; b < c; b++)
                        k[(i * r + j) * c * c + a * c + b] = m[i, a] * m[j, b];
        return torch.tensor(k, [r * r, c * c]);
    }

    public static void Run(string[] args)
    {
        var kv = ProbeArguments.Parse(args);
        int reps = int.Parse(kv.GetValueOrDefault("reps") ?? "5");
        var layers = (kv.GetValueOrDefault("layers") ?? "128:64,256:64,256:32,512:32,512:16")
            .Split(',').Select(s => s.Split(':')).Select(p => (C: int.Parse(p[0]), Hw: int.Parse(p[1]), Out: p.Length > 2 ? int.Parse(p[2]) : 0)).ToArray();
        torch.set_num_threads(Environment.ProcessorCount);
        torch.manual_seed(0);
        if (kv.ContainsKey("gemm"))
        {
            foreach (var (t, c) in new[] { (227, 128), (1024, 128), (113, 256), (256, 256), (64, 512) })
            {
                using var scope = torch.NewDisposeScope();
                var a = torch.randn(t, 36, c).permute(1, 0, 2);
                var b = torch.randn(36, c, c);
                for (int i = 0; i < 3; i++) torch.bmm(a, b).Dispose();
                var sw = Stopwatch.StartNew();
                int n = 0;
                while (sw.ElapsedMilliseconds < 1000) { torch.bmm(a, b).Dispose(); n++; }
                double s = sw.Elapsed.TotalSeconds / n;
                Console.WriteLine($"bmm [36,{t},{c}]x[36,{c},{c}]: {s * 1e3:F2} ms, {36.0 * t * c * c * 2 / s / 1e9:F0} GFLOP/s");
            }
            return;
        }
        using var bt = Kron(BT).t().contiguous();   // d_flat [.,16] @ bt -> V_flat
        using var gg = Kron(G).t().contiguous();    // g_flat [.,9] @ gg -> U_flat [.,16]
        using var at = Kron(AT).t().contiguous();   // M_flat [.,16] @ at -> Y_flat [.,4]
        Console.WriteLine("in->out ch @ HxW: direct fwd+bwd ms | winograd fwd+bwd ms | max |diff| out / grad (relative)");
        foreach (var (cin, hw, outChannels) in layers)
        {
            int cout = outChannels > 0 ? outChannels : cin == 128 ? 256 : cin; // conv3_1 is 128 -> 256; the others keep their width
            using var scope = torch.NewDisposeScope();
            var w = torch.randn(cout, cin, 3, 3) * Math.Sqrt(2.0 / (cin * 9));
            var bias = torch.randn(cout) * 0.1;
            var x0 = torch.randn(1, cin, hw, hw).relu();
            var upstream = torch.randn(1, cout, hw, hw);
            var wLast = w.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2); // channels_last, as VggLossNetwork
            var u = (w.reshape(cout * cin, 9).matmul(gg)).reshape(cout, cin, 16).permute(2, 0, 1).contiguous(); // [16, K, C]

            (Tensor Out, Tensor Grad) Direct()
            {
                var x = x0.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2).requires_grad_(true);
                var y = nn.functional.conv2d(x, wLast, bias, padding: [1, 1]);
                y.backward([upstream]);
                return (y.detach(), x.grad!);
            }

            (Tensor Out, Tensor Grad) Winograd()
            {
                var x = x0.clone().requires_grad_(true);
                int th = hw / 2, tiles = th * th;
                var padded = nn.functional.pad(x, [1, 1, 1, 1]);
                var d = padded.unfold(2, 4, 2).unfold(3, 4, 2).reshape(cin, tiles, 16); // [C, T, 16]
                var v = d.matmul(bt).permute(2, 0, 1);                                 // [16, C, T]
                var m = u.matmul(v);                                                    // [16, K, T]
                var yt = m.permute(1, 2, 0).matmul(at);                                 // [K, T, 4]
                var y = yt.reshape(cout, th, th, 2, 2).permute(0, 1, 3, 2, 4).reshape(1, cout, hw, hw) + bias.reshape(1, cout, 1, 1);
                y.backward([upstream]);
                return (y.detach(), x.grad!);
            }

            double Time(Func<(Tensor, Tensor)> f)
            {
                for (int i = 0; i < 2; i++) using (torch.NewDisposeScope()) f();
                var t = new List<double>();
                for (int i = 0; i < reps; i++)
                {
                    using var s = torch.NewDisposeScope();
                    var sw = Stopwatch.StartNew();
                    f();
                    t.Add(sw.Elapsed.TotalMilliseconds);
                }
                return t.Order().ElementAt(reps / 2);
            }

            using var product = new FastStyle.Training.LossNetwork.WinogradConv3x3(w, bias);
            (Tensor Out, Tensor Grad) Product()
            {
                var x = x0.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2).requires_grad_(true);
                var y = product.Apply(x);
                y.backward([upstream]);
                return (y.detach(), x.grad!);
            }

            var (yd, gd) = Direct();
            var (yw, gw) = Winograd();
            double outDiff = (yd - yw).abs().max().ToDouble() / yd.abs().max().ToDouble();
            double gradDiff = (gd - gw).abs().max().ToDouble() / gd.abs().max().ToDouble();
            double direct = Time(Direct), winograd = Time(Winograd);
            Console.WriteLine($"{cin,4}->{cout,-4} @ {hw,3}x{hw,-3}: {direct,7:F1} | {winograd,7:F1} ({winograd / direct:F2}x) | {outDiff:E1} / {gradDiff:E1}");
            var (yp, gp) = Product();
            double productOut = (yd - yp).abs().max().ToDouble() / yd.abs().max().ToDouble();
            double productGrad = (gd - gp).abs().max().ToDouble() / gd.abs().max().ToDouble();
            double productTime = Time(Product), directAgain = Time(Direct);
            Console.WriteLine($"{"",14}  F(4x4,3x3) WinogradConv3x3: {productTime,7:F1} ({productTime / directAgain:F2}x of direct {directAgain:F1} timed beside it) | {productOut:E1} / {productGrad:E1}");
        }
    }
}
