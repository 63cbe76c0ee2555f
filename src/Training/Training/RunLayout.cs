namespace FastStyle.Training.Training;

/// <summary>Where a training run writes its files, in one place.</summary>
public sealed class RunLayout(string directory)
{
    public string Directory { get; } = directory;
    public string CheckpointDirectory => Path.Combine(Directory, "checkpoints");
    public string SampleDirectory => Path.Combine(Directory, "samples");
    public string MetricsCsv => Path.Combine(Directory, "metrics.csv");
    public string LossCurve => Path.Combine(Directory, "loss.png");
    public string TensorBoardDirectory => Path.Combine(Directory, "tensorboard");
    public string ResolvedConfig => Path.Combine(Directory, "config.resolved.txt");

    public string CheckpointPath(long step) => Path.Combine(CheckpointDirectory, $"step-{step:D6}.safetensors");
    public string SamplePath(long step, string name) => Path.Combine(SampleDirectory, $"step-{step:D6}-{name}.jpg");

    /// <summary>The newest checkpoint of a run directory (for --resume DIR).</summary>
    public static string? LatestCheckpoint(string directory)
    {
        string folder = Path.Combine(directory, "checkpoints");
        return System.IO.Directory.Exists(folder)
            ? System.IO.Directory.GetFiles(folder, "step-*.safetensors").OrderBy(f => f, StringComparer.Ordinal).LastOrDefault()
            : null;
    }

    /// <summary>A checkpoint file as given, or the newest checkpoint of a run folder; user error if there is none.</summary>
    public static string ResolveCheckpoint(string fileOrRunFolder)
    {
        if (System.IO.Directory.Exists(fileOrRunFolder))
            return LatestCheckpoint(fileOrRunFolder) ?? throw new Data.FastStyleError($"checkpoint folder '{fileOrRunFolder}': no checkpoints in it");
        if (!File.Exists(fileOrRunFolder)) throw new Data.FastStyleError($"checkpoint '{fileOrRunFolder}': file not found");
        return fileOrRunFolder;
    }

    public void PruneCheckpoints(int keep)
    {
        var all = System.IO.Directory.GetFiles(CheckpointDirectory, "step-*.safetensors").OrderBy(f => f, StringComparer.Ordinal).ToList();
        foreach (var old in all.Take(Math.Max(0, all.Count - keep))) File.Delete(old);
    }
}
