using System.Globalization;
using System.Text;
using FastStyle.Training.Losses;
using FastStyle.Training.Reporting;
using TorchSharp;

namespace FastStyle.Training.Runs;

/// <summary>
/// Writes a run's metrics three ways: metrics.csv (append; survives resume), TensorBoard event
/// files (TorchSharp's SummaryWriter) and loss.png (redrawn at every checkpoint). A run that trains
/// several paintings also gets one column per painting, `style.NAME`: the mean weighted style term of
/// the images drawn for it since the previous row (NaN if none was), because the batch's `style`
/// mixes paintings in proportion to their draws and hides which one lags.
/// </summary>
internal sealed class TrainingLog : IDisposable
{
    readonly RunLayout layout;
    readonly StreamWriter csv;
    readonly TorchSharp.Modules.SummaryWriter tensorboard;
    readonly List<(double Step, double Total, double Content, double Style, double Tv)> history = [];
    const string PrecisionColumn = "precision";
    const string PaintingColumnPrefix = "style.";
    readonly string precision;
    readonly IReadOnlyList<string> paintings;
    readonly double[] paintingSums;
    readonly int[] paintingCounts;
    // The file's columns: a resumed run keeps those of the run it continues, even if this build
    // would write others, so every row matches the header (rows that do not are dropped on resume).
    string[]? header;

    /// <param name="resumedAtStep">The checkpoint's step when resuming; null starts a new metrics.csv.</param>
    /// <param name="precision">compute type of this run (bf16/fp32), logged on every row: a resumed run may change it.</param>
    /// <param name="paintings">the names of the styles the run trains, in the order <see cref="Observe"/>'s indices use; one painting gets no per-painting columns.</param>
    public TrainingLog(RunLayout layout, long? resumedAtStep, string precision, IReadOnlyList<string>? paintings = null)
    {
        this.layout = layout;
        this.precision = precision;
        this.paintings = paintings is { Count: > 1 } ? paintings : [];
        paintingSums = new double[this.paintings.Count];
        paintingCounts = new int[this.paintings.Count];
        Directory.CreateDirectory(layout.Directory);
        if (resumedAtStep is { } step) TruncateAfter(step); else File.Delete(layout.MetricsCsv);
        // No byte-order mark: pandas and csv readers would take it into the first column name ("\ufeffstep").
        csv = new StreamWriter(layout.MetricsCsv, append: true, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        tensorboard = torch.utils.tensorboard.SummaryWriter(layout.TensorBoardDirectory);
    }

    /// <summary>Adds one step's images to their paintings' means (image i trained painting <paramref name="paintingOfImage"/>[i]).</summary>
    public void Observe(IReadOnlyList<int> paintingOfImage, LossValues values)
    {
        if (paintings.Count == 0 || values.StyleByImage is not { } perImage) return;
        for (int i = 0; i < paintingOfImage.Count; i++)
        {
            paintingSums[paintingOfImage[i]] += perImage[i];
            paintingCounts[paintingOfImage[i]]++;
        }
    }

    public void Append(StepReport report)
    {
        var loss = report.Loss;
        var paintingMeans = paintings.Select((_, p) => paintingCounts[p] > 0 ? paintingSums[p] / paintingCounts[p] : double.NaN).ToArray();
        Array.Clear(paintingSums);
        Array.Clear(paintingCounts);
        // TruncateAfter reads total, content, style and tv back by position: they stay columns 3-6.
        List<(string Column, double Value)> row =
        [
            ("step", report.Step), ("seconds", report.Seconds), ("images_per_second", report.ImagesPerSecond),
            ("total", loss.Total), ("content", loss.Content), ("style", loss.Style), ("tv", loss.TotalVariation),
            .. loss.StyleByLayer.Select(kv => ("style_" + kv.Key, kv.Value)),
            .. loss.ContentByLayer.Select(kv => ("content_" + kv.Key, kv.Value)),
            .. paintings.Select((name, p) => (PaintingColumnPrefix + name, paintingMeans[p])),
        ];
        if (header == null)
        {
            header = [.. row.Select(c => c.Column), PrecisionColumn];
            csv.WriteLine(string.Join(",", header));
        }
        var value = row.ToDictionary(c => c.Column, c => c.Value);
        csv.WriteLine(string.Join(",", header.Select(column => column == PrecisionColumn ? precision
            : value.TryGetValue(column, out double v) ? v.ToString("R", CultureInfo.InvariantCulture) : "NaN")));
        int step = (int)report.Step;
        tensorboard.add_scalar("loss/total", (float)loss.Total, step);
        tensorboard.add_scalar("loss/content", (float)loss.Content, step);
        tensorboard.add_scalar("loss/style", (float)loss.Style, step);
        tensorboard.add_scalar("loss/tv", (float)loss.TotalVariation, step);
        foreach (var (layer, v) in loss.StyleByLayer) tensorboard.add_scalar($"style/{layer}", (float)v, step);
        for (int p = 0; p < paintings.Count; p++)
            if (double.IsFinite(paintingMeans[p])) tensorboard.add_scalar($"style_by_painting/{paintings[p]}", (float)paintingMeans[p], step);
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
        header = complete[0].Split(',');
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
