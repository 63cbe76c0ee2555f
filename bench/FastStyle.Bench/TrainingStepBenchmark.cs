using System.Diagnostics;
using FastStyle.Data.Imaging;
using FastStyle.Training.Losses;
using FastStyle.Training.Networks;
using FastStyle.Training.Runs;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace FastStyle.Bench;

/// <summary>
/// Seconds per full training step (decode + crop in the background dataset, VGG, transformer,
/// backward, Adam), exactly the trainer's <see cref="TrainingStep"/>, at a batch x size and precision.
/// Then the same shapes' convolutions alone (forward + backward of every conv of the step), to
/// show how much of a step is conv kernels vs everything else (issue 3).
/// Seconds-long steps with a data pipeline do not fit BenchmarkDotNet's model; a warm-up and the
/// median of N steps is reported instead.
/// </summary>
public static class TrainingStepBenchmark
{
    public static void Run(string vggPath, string dataset, string styleImage, int batch, int size, Precision precision, int steps)
    {
        using var outer = torch.NewDisposeScope();
        using var setup = TrainingSetup.Create(vggPath, dataset, styleImage, new ImageLoadOptions { LongestSide = 512 },
            LossConfig.TrainingDefaults, batch, size, precision);
        var (net, loss, data, step, compute) = (setup.Net, setup.Loss, setup.Data, setup.Step, setup.Compute);
        for (int i = 0; i < 2; i++) step.Run(data.Next());
        var times = new List<double>();
        long peakRss = 0;
        for (int i = 0; i < steps; i++)
        {
            var clock = Stopwatch.StartNew();
            step.Run(data.Next());
            times.Add(clock.Elapsed.TotalSeconds);
            peakRss = Math.Max(peakRss, Process.GetCurrentProcess().WorkingSet64);
        }
        times.Sort();
        double median = times[times.Count / 2];
        double convs = ConvKernelsAlone(net, loss, batch, size, compute);
        Console.WriteLine($"train {batch}x{size} {precision} ({torch.get_num_threads()} threads): {median:F3} s/step (median of {steps}), {batch / median:F2} images/s, " +
                          $"conv kernels alone {convs:F3} s -> step/conv ratio {median / convs:F2}, RSS {peakRss / 1048576.0:F0} MiB during steps");
    }

    /// <summary>Forward+backward of each conv of the transformer and of VGG (to the deepest loss tap) on random inputs of the step's shapes.</summary>
    static double ConvKernelsAlone(TransformerNet net, PerceptualLoss loss, int batch, int size, ScalarType compute)
    {
        var shapes = new List<(long In, long Out, long K, long Stride, long H, bool Transposed)>();
        double resolution = size;
        foreach (var conv in net.Architecture.Convolutions())
        {
            // An upsampling conv runs at its output resolution (nearest x2 first), the others at their input's.
            double next = conv.OutputSize(resolution);
            shapes.Add((conv.InChannels, conv.OutChannels, conv.Kernel, conv.Upsamples ? 1 : conv.Stride, (long)(conv.Upsamples ? next : resolution), conv.Transposed));
            resolution = next;
        }
        var arch = loss.Network.Architecture;
        int deepest = loss.Config.Taps.Max(arch.TapPosition);
        long h = size;
        for (int i = 0; i <= deepest; i++)
        {
            var conv = arch.Convs[i];
            // VGG runs twice per step on the output (with grad) and once on the content (no grad): count the grad pass twice as a bound.
            shapes.Add((conv.InChannels, conv.OutChannels, 3, 1, h, false));
            if (conv.PoolAfter) h /= 2;
        }
        double total = 0;
        foreach (var s in shapes)
        {
            using var scope = torch.NewDisposeScope();
            var x = torch.randn(batch, s.In, s.H + s.K - 1, s.H + s.K - 1).to(compute).requires_grad_(true);
            var w = torch.randn(s.Out, s.In, s.K, s.K).to(compute).requires_grad_(true);
            F.conv2d(x, w, strides: [s.Stride, s.Stride]).sum().backward();
            var clock = Stopwatch.StartNew();
            const int repeats = 3;
            for (int r = 0; r < repeats; r++)
            {
                x.grad?.zero_();
                w.grad?.zero_();
                F.conv2d(x, w, strides: [s.Stride, s.Stride]).sum().backward();
            }
            total += clock.Elapsed.TotalSeconds / repeats;
        }
        return total;
    }
}
