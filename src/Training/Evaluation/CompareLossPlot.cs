using FastStyle.Training.Reporting;

namespace FastStyle.Training.Evaluation;

/// <summary>
/// loss.png: each image's Gatys total loss against iteration, with the network's loss on that
/// image as a dashed horizontal line; where a curve crosses its line is the equivalent iteration.
/// </summary>
internal static class CompareLossPlot
{
    public static void Write(string path, IReadOnlyList<ImageComparison> images)
    {
        var series = images.Select(i => new PlotSeries(
            $"Gatys: {i.Index + 1:D2} {i.Name}",
            i.History.Select(h => (double)h.Iteration).ToList(),
            i.History.Select(h => h.Loss.Total).ToList()));
        var references = images.Select(i => ($"network: {i.Index + 1:D2} {i.Name}", i.Network.Loss.Total));
        LossCurvePlot.Write(path, "Total loss: Gatys (L-BFGS) vs network", "iteration", series, references);
    }
}
