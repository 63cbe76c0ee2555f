using FastStyle.Data;
using FastStyle.Data.Weights;
using FastStyle.Inference;

namespace FastStyle.Training.Runs;

/// <summary>
/// The styles a run's network holds and which of them the run trains. An ordinary run trains all of
/// the config's styles (rows 0..n-1). A `train: norm_only` run (Dumoulin et al. 2017 sec. 4.3: a new
/// style needs only its scale/shift) holds init_from's other styles first, frozen, then the config's,
/// and trains only those rows and nothing else: new styles, or ones init_from holds (refined).
/// </summary>
internal sealed record RunStyles(TransformerArchitecture Architecture, IReadOnlyList<StyleEntry> Entries, int FirstTrainedRow, string? SourcePath, Checkpoint? Source)
{
    /// <summary>The network's name: its one style's, or the style names joined by '+'.</summary>
    public string Name(TrainingConfig config) => FirstTrainedRow == 0 ? config.StyleName : string.Join("+", Entries.Select(e => e.Name));

    public bool NormOnly => Source != null;

    public static RunStyles Plan(TrainingConfig config, IReadOnlyList<string> imageHashes)
    {
        var own = config.Styles.Select((s, i) => new StyleEntry(s.Name, imageHashes[i])).ToList();
        if (config.Train != TrainMode.NormOnly) return new(config.Architecture, own, 0, null, null);
        string path = RunLayout.ResolveCheckpoint(config.InitFrom!);
        var source = Checkpoint.Load(path);
        var trained = source.Architecture;
        if (!trained.SharesConvolutionsWith(config.Architecture))
            throw new FastStyleError($"init_from '{path}': network {trained with { Styles = 1 }} differs from the config's {config.Architecture with { Styles = 1 }}; norm_only adds styles to that exact network");
        // A config style init_from already holds is refined: its row is trained further from where it is.
        // Only with the same painting, or the row's name would no longer say what it was trained on.
        if (own.FirstOrDefault(s => source.Styles.Any(x => x.Name == s.Name && x.ImageSha256 != s.ImageSha256)) is { } clash)
            throw new FastStyleError($"init_from '{path}' already holds a style named '{clash.Name}' trained on another image; give the new style another name");
        var frozen = source.Styles.Where(x => own.All(s => s.Name != x.Name)).ToList();
        var architecture = trained with { Styles = frozen.Count + own.Count };
        if (architecture.Problem() is { } problem) throw new FastStyleError($"init_from '{path}' plus the config's styles: {problem}");
        return new(architecture, [.. frozen, .. own], frozen.Count, path, source);
    }

    /// <summary>
    /// init_from's weights with the norm tables re-rowed for this run: frozen rows first, then the trained
    /// ones; a refined style starts at its own row, a new one at the mean of the existing rows (an
    /// "average style" is a better start than the identity scale/shift).
    /// </summary>
    public Dictionary<string, TensorData> StartingWeights() =>
        WithStyleRows(Source!.NetworkWeights, Source.Styles, Architecture, Entries.Select(e => e.Name).ToList(), SourcePath!);

    /// <summary>
    /// A trained network's weights re-rowed for another list of styles (same convolutions): each style
    /// takes the source's row of the same name, or else the mean of the source's rows. This is how a
    /// multi-style run starts from a single-style network, and how norm_only grows one.
    /// </summary>
    public static Dictionary<string, TensorData> WithStyleRows(IReadOnlyDictionary<string, TensorData> source, IReadOnlyList<StyleEntry> sourceStyles,
        TransformerArchitecture target, IReadOnlyList<string> targetStyles, string sourcePath)
    {
        var weights = source.ToDictionary(kv => kv.Key, kv => kv.Value);
        int rows = sourceStyles.Count;
        var sourceNames = sourceStyles.Select(s => s.Name).ToList();
        var sourceRow = targetStyles.Select(name => sourceNames.IndexOf(name)).ToList();
        foreach (var (name, channels) in TransformerWeightLayout.NormTensors(target))
        {
            if (!weights.TryGetValue(name, out var table) || table.Values.Length != rows * channels)
                throw new FastStyleError($"init_from '{sourcePath}': norm tensor '{name}' is missing or not {rows} x {channels}");
            var values = new float[targetStyles.Count * channels];
            for (int c = 0; c < channels; c++)
            {
                double mean = 0;
                for (int r = 0; r < rows; r++) mean += table.Values[r * channels + c];
                for (int t = 0; t < targetStyles.Count; t++)
                    values[t * channels + c] = sourceRow[t] >= 0 ? table.Values[sourceRow[t] * channels + c] : (float)(mean / rows);
            }
            weights[name] = new TensorData(name, target.NormShape(channels), values);
        }
        return weights;
    }
}
