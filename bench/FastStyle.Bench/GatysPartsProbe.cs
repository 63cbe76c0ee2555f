using System.Diagnostics;
using FastStyle.Data.Imaging;
using FastStyle.Training.Losses;
using FastStyle.Training.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace FastStyle.Bench;

/// <summary>
/// Experiment for issue 10: where one optimisation evaluation's time goes (forward with autograd, backward,
/// and the non-convolution operators alone at VGG-19's shapes). Usage: gatysparts vgg=PATH content=IMG [size=256] [reps=7]
/// </summary>
static class GatysPartsProbe
{
    public static void Run(string[] args)
    {
        var kv = ProbeArguments.Parse(args);
        int size = int.Parse(kv.GetValueOrDefault("size") ?? "256");
        int reps = int.Parse(kv.GetValueOrDefault("reps") ?? "7");
        torch.set_num_threads(Environment.ProcessorCount);
        using var outer = torch.NewDisposeScope();
        var loss = PerceptualLoss.Load(kv["vgg"], LossConfig.GatysDefaults);
        var exact = new ImageLoadOptions { ExactSize = (size, size) };
        var content = ImageTensors.ToTensor(ImageFile.Load(kv["content"], exact));
        using var targets = loss.Targets(content.clone(), content);
        var pixels = new TorchSharp.Modules.Parameter(content.clone(), requires_grad: true);
        var fwd = new List<double>(); var bwd = new List<double>();
        for (int i = 0; i < reps + 2; i++)
        {
            using var scope = torch.NewDisposeScope();
            pixels.grad?.zero_();
            var sw = Stopwatch.StartNew();
            var terms = loss.Compute(pixels, targets.StyleGrams, targets.ContentFeatures);
            double f = sw.Elapsed.TotalMilliseconds;
            terms.Total.backward();
            double b = sw.Elapsed.TotalMilliseconds - f;
            if (i >= 2) { fwd.Add(f); bwd.Add(b); }
        }
        Console.WriteLine($"{size} px: forward {Median(fwd):F1} ms, backward {Median(bwd):F1} ms, total {Median(fwd) + Median(bwd):F1} ms ({loss.Network.ConvolutionSummary})");

        var conv11 = ChannelsLast.Of(torch.randn(64, 3, 3, 3));
        Time($"conv1_1 direct fwd+bwd [3->64,{size}]", 3, size, x => nn.functional.conv2d(x, conv11, padding: [1, 1]));
        foreach (var (c, hw) in new[] { (64, size), (128, size / 2), (256, size / 4), (512, size / 8), (512, size / 16) })
        {
            Time($"relu fwd+bwd   [{c},{hw}]", c, hw, x => x.relu());
            Time($"maxpool fwd+bwd[{c},{hw}]", c, hw, x => nn.functional.max_pool2d(x, 2, 2));
            // Both factors tracked (as before the symmetric-gradient Gram) against the product's LossFunctions.Gram.
            Time($"gram fwd+bwd   [{c},{hw}]", c, hw, x => { var p = ChannelsLast.PixelsByChannel(x); return p.transpose(1, 2).bmm(p); });
            Time($"gram fwd       [{c},{hw}]", c, hw, x => { using var _ = torch.no_grad(); var p = ChannelsLast.PixelsByChannel(x); return p.transpose(1, 2).bmm(p).requires_grad_(true); });
            Time($"LossFunctions.Gram fwd+bwd [{c},{hw}]", c, hw, LossFunctions.Gram);
        }

        void Time(string label, int c, int hw, Func<Tensor, Tensor> op)
        {
            var times = new List<double>();
            for (int i = 0; i < reps + 2; i++)
            {
                using var scope = torch.NewDisposeScope();
                var x = ChannelsLast.Of(torch.randn(1, c, hw, hw)).requires_grad_(true);
                var sw = Stopwatch.StartNew();
                var y = op(x);
                y.backward([torch.ones_like(y)]);
                if (i >= 2) times.Add(sw.Elapsed.TotalMilliseconds);
            }
            Console.WriteLine($"  {label}: {Median(times):F2} ms");
        }
    }

    static double Median(List<double> v) { var s = v.OrderBy(x => x).ToArray(); return s[s.Length / 2]; }
}
