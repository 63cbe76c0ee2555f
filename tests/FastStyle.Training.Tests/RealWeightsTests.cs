using System.Diagnostics;
using FastStyle.Data.Imaging;
using FastStyle.Training.Losses;
using FastStyle.Training.Optimization;
using FastStyle.TestSupport;
using Xunit.Abstractions;

namespace FastStyle.Training.Tests;

/// <summary>Gatys optimisation with the real VGG-19 (skipped without ../shared).</summary>
public class RealWeightsTests(ITestOutputHelper output)
{
    /// <summary>
    /// The setting: 50 iterations at 128 px (about 7 s on an idle 2-core machine).
    /// </summary>
    const int Iterations = 50;

    [SharedDataFact]
    public void Gatys_defaults_cut_the_style_loss_tenfold_in_50_lbfgs_iterations()
    {
        using var dir = new TempDir();
        var clock = Stopwatch.StartNew();
        var result = OptimizeJob.Run(new OptimizeRequest
        {
            ContentPath = SharedData.Content("tubingen.jpg"),
            StylePath = SharedData.Style("starry_night.jpg"),
            OutputPath = dir.File("tubingen-starry.png"),
            VggPath = SharedData.VggPath,
            Size = 128,
            Loss = LossConfig.GatysDefaults,
            Options = new OptimizeOptions { Iterations = Iterations },
        });
        foreach (var h in result.History.Where(h => h.Iteration % 5 == 0))
            output.WriteLine($"iteration {h.Iteration,2}: {h.Seconds,5:F1} s  style {h.Loss.Style:G4}  content {h.Loss.Content:G4}");
        var initial = result.Initial;
        var final = result.Final;
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s; style {initial.Style:G4} -> {final.Style:G4} ({final.Style / initial.Style:P1}); " +
                         $"content {initial.Content:G4} -> {final.Content:G4}; total {initial.Total:G4} -> {final.Total:G4}");

        Assert.Equal(Iterations + 1, result.History.Count);
        Assert.True(final.Style <= 0.1 * initial.Style, $"style loss {initial.Style:G4} -> {final.Style:G4}");
        // Starting from the content image, the (weighted) content loss grows from 0 as style is
        // added; with Gatys' weights it stays below the remaining weighted style loss (measured:
        // about 0.1x), i.e. the image has not drifted away from the photo.
        Assert.Equal(0, initial.Content, 6);
        Assert.True(double.IsFinite(final.Content) && final.Content > 0, $"content loss {final.Content}");
        Assert.True(final.Content < final.Style, $"content loss {final.Content:G4} vs style loss {final.Style:G4}");
        Assert.True(final.Total < 0.2 * initial.Total);
        var info = ImageFile.ReadInfo(dir.File("tubingen-starry.png"));
        Assert.Equal(128, Math.Max(info.Width, info.Height));
    }
}
