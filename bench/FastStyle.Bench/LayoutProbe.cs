using System.Diagnostics;
using FastStyle.Training.Tensors;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace FastStyle.Bench;

/// <summary>
/// Experiment for issue 10 (training step): one transformer residual block (reflect pad, 3x3 conv,
/// instance norm, ReLU, pad, conv, instance norm, + input), forward and backward with weight
/// gradients as in training, with activations and weights in NCHW or channels_last. oneDNN runs
/// channels_last convolutions with its brgemm kernels and without per-call activation reorders.
/// Usage: layout [reps=7] [batch=4] [channels=128] [hw=32]
/// </summary>
static class LayoutProbe
{
    public static void Run(string[] args)
    {
        var kv = ProbeArguments.Parse(args);
        int reps = int.Parse(kv.GetValueOrDefault("reps") ?? "7");
        int n = int.Parse(kv.GetValueOrDefault("batch") ?? "4");
        int c = int.Parse(kv.GetValueOrDefault("channels") ?? "128");
        int hw = int.Parse(kv.GetValueOrDefault("hw") ?? "32");
        torch.set_num_threads(Environment.ProcessorCount);
        torch.manual_seed(0);
        var w1 = torch.randn(c, c, 3, 3) * 0.03;
        var w2 = torch.randn(c, c, 3, 3) * 0.03;
        var input = torch.randn(n, c, hw, hw);
        var upstream = torch.randn(n, c, hw, hw);

        double Time(bool channelsLast, out Tensor output, out Tensor grad)
        {
            Tensor Layout(Tensor t) => channelsLast ? ChannelsLast.Of(t) : t.contiguous();
            var p1 = Layout(w1).detach().requires_grad_(true);
            var p2 = Layout(w2).detach().requires_grad_(true);
            Tensor y = null!, g = null!;
            var times = new List<double>();
            for (int i = 0; i < reps + 2; i++)
            {
                using var scope = torch.NewDisposeScope();
                var x = Layout(input).detach().requires_grad_(true);
                var sw = Stopwatch.StartNew();
                var h = F.conv2d(F.pad(x, [1, 1, 1, 1], PaddingModes.Reflect), p1);
                h = F.relu(F.instance_norm(h));
                h = F.conv2d(F.pad(h, [1, 1, 1, 1], PaddingModes.Reflect), p2);
                var outp = F.instance_norm(h) + x;
                outp.backward([Layout(upstream)]);
                if (i >= 2) times.Add(sw.Elapsed.TotalMilliseconds);
                y = outp.detach().contiguous().MoveToOuterDisposeScope();
                g = p1.grad!.contiguous().clone().MoveToOuterDisposeScope(); // clone: contiguous() is the gradient itself in NCHW, zeroed below
                p1.grad!.zero_();
                p2.grad!.zero_();
            }
            output = y;
            grad = g;
            return times.Order().ElementAt(times.Count / 2);
        }

        double nchw = Time(false, out var y0, out var g0);
        double last = Time(true, out var y1, out var g1);
        Console.WriteLine($"residual block {n}x{c}x{hw}x{hw}, fwd+bwd: NCHW {nchw:F1} ms, channels_last {last:F1} ms ({last / nchw:F2}x); " +
            $"max |diff| / max |value|: output {Relative(y0, y1):E1}, weight gradient {Relative(g0, g1):E1}");

        static double Relative(Tensor a, Tensor b) => (a - b).abs().max().ToDouble() / a.abs().max().ToDouble();
    }
}
