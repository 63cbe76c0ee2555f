using System.Globalization;
using System.Text;
using FastStyle.Training.Reporting;
using TorchSharp;

namespace FastStyle.Training.Runs;

/// <summary>
/// Writes a run's metrics three ways: metrics.csv (append; survives resume), TensorBoard event
/// files (TorchSharp's SummaryWriter) and loss.png (redrawn at every checkpoint).
/// </summary>
internal sealed class TrainingLog : IDisposable
{
    readonly RunLayout layout;
    readonly StreamWriter csv;
    readonly TorchSharp.Modules.SummaryWriter tensorboard;
    readonly List<(double Step, double Total, double Content, double Style, double Tv)> history = [];
    const string PrecisionColumn = "precision";
    static readonly string[] FixedColumns = ["step", "seconds", "images_per_second", "total", "content", "style", "tv"];
    readonly string precision;
    string[]? layerColumns;

    /// <param name="resumedAtStep">The checkpoint's step when resuming; null starts a new metrics.csv.</param>
    /// <param name="precision">compute type of this run (bf16/fp32), logged on every row: a resumed run may change it.</param>
    public TrainingLog(RunLayout layout, long? resumedAtStep, string precision)
    {
        this.layout = layout;
        this.precision = precision;
        Directory.CreateDirectory(layout.Directory);
        if (resumedAtStep is { } step) TruncateAfter(step); else File.Delete(layout.MetricsCsv);
        // No byte-order mark: pandas and csv readers would take it into the first column name ("\ufeffstep").
        csv = new StreamWriter(layout.MetricsCsv, append: true, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        tensorboard = torch.utils.tensorboard.SummaryWriter(layout.TensorBoardDirectory);
    }

    public void Append(StepReport report)
    {
        var loss = report.Loss;
        if (layerColumns == null)
        {
            layerColumns = loss.StyleByLayer.Keys.Select(k => "style_" + k).Concat(loss.ContentByLayer.Keys.Select(k => "content_" + k)).ToArray();
            if (csv.BaseStream.Length == 0)
                csv.WriteLine(string.Join(",", FixedColumns.Concat(layerColumns).Append(PrecisionColumn)));
        }
        var values = new double[] { report.Step, report.Seconds, report.ImagesPerSecond, loss.Total, loss.Content, loss.Style, loss.TotalVariation }
            .Concat(loss.StyleByLayer.Values).Concat(loss.ContentByLayer.Values);
        csv.WriteLine(string.Join(",", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)).Append(precision)));
        int step = (int)report.Step;
        tensorboard.add_scalar("loss/total", (float)loss.Total, step);
        tensorboard.add_scalar("loss/content", (float)loss.Content, step);
        tensorboard.add_scalar("loss/style", (float)loss.Style, step);
        tensorboard.add_scalar("loss/tv", (float)loss.TotalVariation, step);
        foreach (var (layer, v) in loss.StyleByLayer) tensorboard.add_scalar($"style/{layer}", (float)v, step);
        tensorboard.add_scalar("speed/images_per_second", (float)report.ImagesPerSecond, step);
        if (double.IsFinite(report.LearningRate)) tensorboard.add_scalar("train/learning_rate", (float)report.LearningRate, step);
        history.Add((report.Step, loss.Total, loss.Content, loss.Style, loss.TotalVariation));
    }

    /// <summary>Flushes the CSV and redraws the loss curve.</summary>
    public void Flush()
    {
        csv.Flush();
        if (history.Count < 2) return;
        var steps = history.Select(h => h.Step).ToList();
        LossCurvePlot.Write(layout.LossCurve, "Training loss", "step",
        [
            new PlotSeries("total", steps, history.Select(h => h.Total).ToList()),
            new PlotSeries("content (weighted)", steps, history.Select(h => h.Content).ToList()),
            new PlotSeries("style (weighted)", steps, history.Select(h => h.Style).ToList()),
            new PlotSeries("tv (weighted)", steps, history.Select(h => h.Tv).ToList()),
        ]);
    }

    /// <summary>
    /// After a kill, metrics.csv runs ahead of the last checkpoint (rows are written every log_every
    /// steps, checkpoints every checkpoint_every) and may end in a half-written line. The resumed run
    /// repeats those steps, so rows after <paramref name="checkpointStep"/> and any incomplete or
    /// unparsable line are dropped (atomically) before appending; loss.png is drawn from what remains.
    /// </summary>
    void TruncateAfter(long checkpointStep)
    {
        if (!File.Exists(layout.MetricsCsv)) return;
        string text = File.ReadAllText(layout.MetricsCsv);
        var lines = text.Split('\n');
        // The last element is "" when the file ends with a newline, else the cut line of a killed write.
        var complete = lines.Take(lines.Length - 1).Select(l => l.TrimEnd('\r')).ToList();
        if (complete.Count == 0)
        {
            File.Delete(layout.MetricsCsv);
            return;
        }
        var header = complete[0].Split(',');
        int textColumn = Array.IndexOf(header, PrecisionColumn); // the one non-numeric column
        var kept = new List<string> { complete[0] };
        foreach (var line in complete.Skip(1))
        {
            var f = line.Split(',');
            if (f.Length != header.Length || !f.Where((_, i) => i != textColumn).All(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _))) continue;
            double P(int i) => double.Parse(f[i], CultureInfo.InvariantCulture);
            if (P(0) > checkpointStep) continue;
            kept.Add(line);
            history.Add((P(0), P(3), P(4), P(5), P(6)));
        }
        if (kept.Count != complete.Count || lines[^1].Length > 0)
            Data.AtomicFile.WriteAllText(layout.MetricsCsv, string.Join("\n", kept) + "\n");
    }

    public void Dispose()
    {
        csv.Dispose();
    }
}
