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
            Options = new OptimizeOptions { Iterations = 50 },
        });
        var initial = result.Initial;
        var final = result.Final;
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s; style {initial.Style:G4} -> {final.Style:G4} ({final.Style / initial.Style:P1}); " +
                         $"content {initial.Content:G4} -> {final.Content:G4}; total {initial.Total:G4} -> {final.Total:G4}");

        Assert.Equal(51, result.History.Count);
        Assert.True(final.Style <= 0.1 * initial.Style, $"style loss {initial.Style:G4} -> {final.Style:G4}");
        // Starting from the content image, content loss grows from 0 as style is added, but it
        // must stay a fraction of what was gained: below the style loss removed.
        Assert.Equal(0, initial.Content, 6);
        Assert.True(double.IsFinite(final.Content) && final.Content > 0);
        Assert.True(final.Content < initial.Style - final.Style, $"content {final.Content:G4} vs style reduction {initial.Style - final.Style:G4}");
        Assert.True(final.Total < 0.2 * initial.Total);
        var info = ImageFile.ReadInfo(dir.File("tubingen-starry.png"));
        Assert.Equal(128, Math.Max(info.Width, info.Height));
    }
}
