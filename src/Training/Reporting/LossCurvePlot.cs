using FastStyle.Data;
using FastStyle.Data.Imaging;

namespace FastStyle.Training.Reporting;

/// <summary>One named series of a loss plot (x = step or iteration).</summary>
internal sealed record PlotSeries(string Label, IReadOnlyList<double> X, IReadOnlyList<double> Y);

/// <summary>
/// Loss curves as PNG (ScottPlot). Losses span orders of magnitude, so the y axis shows log10;
/// horizontal reference lines mark fixed levels (e.g. a trained network's loss in `compare`).
/// </summary>
internal static class LossCurvePlot
{
    static int fontRegistered;

    /// <summary>ScottPlot draws with SkiaSharp, which finds no system fonts here (see <see cref="BundledFont"/>).</summary>
    static void EnsureFont()
    {
        if (Interlocked.Exchange(ref fontRegistered, 1) == 1 || !File.Exists(BundledFont.FilePath)) return;
        // Titles and axis labels ask for bold: without a bold entry they are silently not drawn.
        foreach (bool bold in new[] { false, true })
            ScottPlot.Fonts.AddFontFile(BundledFont.FamilyName, BundledFont.FilePath, bold, italic: false);
        ScottPlot.Fonts.Default = BundledFont.FamilyName;
    }

    public static void Write(string path, string title, string xLabel, IEnumerable<PlotSeries> series,
        IEnumerable<(string Label, double Value)>? referenceLines = null, int width = 900, int height = 500)
    {
        EnsureFont();
        var plot = new ScottPlot.Plot();
        foreach (var s in series)
        {
            var points = s.X.Zip(s.Y).Where(p => p.Second > 0 && double.IsFinite(p.Second)).ToArray();
            if (points.Length == 0) continue;
            var line = plot.Add.Scatter(points.Select(p => p.First).ToArray(), points.Select(p => Math.Log10(p.Second)).ToArray());
            line.LegendText = s.Label;
            line.MarkerSize = points.Length > 60 ? 0 : 4;
        }
        foreach (var (label, value) in referenceLines ?? [])
        {
            if (value <= 0 || !double.IsFinite(value)) continue;
            var h = plot.Add.HorizontalLine(Math.Log10(value));
            h.LegendText = label;
            h.LinePattern = ScottPlot.LinePattern.Dashed;
        }
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel("log10(loss)");
        plot.ShowLegend();
        byte[] png = plot.GetImageBytes(width, height, ScottPlot.ImageFormat.Png);
        AtomicFile.WriteAllBytes(path, png);
    }
}
