using System.Globalization;
using FastStyle.Data;

namespace FastStyle.Training.Runs;

/// <summary>What to do when the run folder already holds another run's checkpoints or metrics.</summary>
internal enum ExistingRun
{
    /// <summary>Refuse: a second `train` with the same command would otherwise mix two runs in one folder.</summary>
    Refuse,
    /// <summary>Continue the run in the folder (--resume).</summary>
    Resume,
    /// <summary>Delete the previous run's checkpoints, metrics, samples and plots, then start over (--force-new).</summary>
    Replace,
}

/// <summary>Where a training run writes its files, in one place.</summary>
public sealed class RunLayout(string directory)
{
    const string CheckpointPrefix = "step-";
    const string CheckpointExtension = ".safetensors";

    public string Directory { get; } = directory;
    public string CheckpointDirectory => Path.Combine(Directory, "checkpoints");
    public string SampleDirectory => Path.Combine(Directory, "samples");
    public string MetricsCsv => Path.Combine(Directory, "metrics.csv");
    public string LossCurve => Path.Combine(Directory, "loss.png");
    public string TensorBoardDirectory => Path.Combine(Directory, "tensorboard");
    public string ResolvedConfig => Path.Combine(Directory, "config.resolved.txt");

    public string CheckpointPath(long step) => Path.Combine(CheckpointDirectory, $"{CheckpointPrefix}{step:D6}{CheckpointExtension}");
    public string SamplePath(long step, string name) => Path.Combine(SampleDirectory, $"step-{step:D6}-{name}.jpg");

    /// <summary>
    /// The step in a checkpoint file name, or null for other files. Checkpoints are ordered by this
    /// number, never by name: "step-1000000" sorts before "step-999999" as text.
    /// </summary>
    public static long? StepOf(string path)
    {
        string name = Path.GetFileName(path);
        if (!name.StartsWith(CheckpointPrefix, StringComparison.Ordinal) || !name.EndsWith(CheckpointExtension, StringComparison.Ordinal)) return null;
        string digits = name[CheckpointPrefix.Length..^CheckpointExtension.Length];
        return digits.Length > 0 && digits.All(char.IsAsciiDigit) && long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long step) ? step : null;
    }

    /// <summary>The run folder's checkpoints, oldest step first.</summary>
    public static IReadOnlyList<string> Checkpoints(string runDirectory)
    {
        string folder = Path.Combine(runDirectory, "checkpoints");
        if (!System.IO.Directory.Exists(folder)) return [];
        return System.IO.Directory.GetFiles(folder, CheckpointPrefix + "*" + CheckpointExtension)
            .Where(f => StepOf(f) != null).OrderBy(f => StepOf(f)).ToList();
    }

    /// <summary>The newest checkpoint of a run directory (for --resume DIR).</summary>
    public static string? LatestCheckpoint(string directory) => Checkpoints(directory).LastOrDefault();

    /// <summary>A checkpoint file as given, or the newest checkpoint of a run folder; user error if there is none.</summary>
    public static string ResolveCheckpoint(string fileOrRunFolder)
    {
        if (System.IO.Directory.Exists(fileOrRunFolder))
            return LatestCheckpoint(fileOrRunFolder) ?? throw new FastStyleError($"checkpoint folder '{fileOrRunFolder}': no checkpoints in it");
        if (!File.Exists(fileOrRunFolder)) throw new FastStyleError($"checkpoint '{fileOrRunFolder}': file not found");
        return fileOrRunFolder;
    }

    /// <summary>Where runs go when no folder is given: runs/&lt;style_name&gt; under the current folder.</summary>
    public const string RunsFolder = "runs";

    /// <summary>
    /// The run folder when none is given: a resumed checkpoint's own run folder (so --resume continues
    /// in place), else <see cref="RunsFolder"/>/&lt;style_name&gt;.
    /// </summary>
    public static string DefaultFolder(string styleName, string? resumeFrom)
        => (resumeFrom != null ? RunFolderOf(resumeFrom) : null) ?? Path.Combine(RunsFolder, styleName);

    /// <summary>The run folder a checkpoint was written to (its checkpoints/ parent), or null for a checkpoint elsewhere.</summary>
    public static string? RunFolderOf(string checkpointPath)
    {
        var parent = Path.GetDirectoryName(Path.GetFullPath(checkpointPath));
        return parent != null && Path.GetFileName(parent) == "checkpoints" ? Path.GetDirectoryName(parent) : null;
    }

    /// <summary>True when the folder holds checkpoints or metrics of a run.</summary>
    public bool HoldsRun => Checkpoints(Directory).Count > 0 || File.Exists(MetricsCsv);

    /// <summary>
    /// Checks, before any work, that the run folder can be created and written, and that it does
    /// not hold another run (unless resuming it, or replacing it on request). A checkpoint of another
    /// run folder may only start a fresh folder: continuing it on top of a different run would
    /// interleave their checkpoints and metrics. A checkpoint kept outside any run folder (a
    /// --resumable-copy) continues the folder's run when it is at least as new as the folder's newest
    /// checkpoint; an older one would branch the run, with the later checkpoints still "latest".
    /// </summary>
    /// <param name="resumeStep">The step of <paramref name="resumeFrom"/>, when resuming.</param>
    internal void Prepare(ExistingRun existing, string? resumeFrom, long? resumeStep)
    {
        if (File.Exists(Directory)) throw new FastStyleError($"run folder '{Directory}': is a file; pass --output with a folder");
        AtomicFile.CheckWritable(ResolvedConfig);
        if (!HoldsRun) return;
        string? newest = LatestCheckpoint(Directory);
        string? fromFolder = resumeFrom is null ? null : RunFolderOf(resumeFrom);
        bool otherRun = fromFolder != null && Path.GetFullPath(fromFolder) != Path.GetFullPath(Directory);
        switch (existing)
        {
            case ExistingRun.Replace:
                ClearPreviousRun();
                break;
            case ExistingRun.Resume when otherRun:
                throw new FastStyleError($"run folder '{Directory}' holds another run (newest checkpoint: {newest ?? "none"}); resume into its own folder, or pass --force-new to replace that run");
            case ExistingRun.Resume when newest != null && StepOf(newest) > resumeStep:
                throw new FastStyleError($"run folder '{Directory}' has checkpoints after step {resumeStep} (newest: {Path.GetFileName(newest)}); resuming from an older one would mix two continuations: resume from the newest, or pass --output with a new folder");
            case ExistingRun.Resume:
                break;
            default:
                throw new FastStyleError($"run folder '{Directory}' already holds a run (newest checkpoint: {newest ?? "none"}); pass --resume {Directory} to continue it, --force-new to replace it, or another --output");
        }
    }

    void ClearPreviousRun()
    {
        foreach (var checkpoint in Checkpoints(Directory)) File.Delete(checkpoint);
        foreach (var file in new[] { MetricsCsv, LossCurve, ResolvedConfig }) File.Delete(file);
        foreach (var folder in new[] { SampleDirectory, TensorBoardDirectory })
            if (System.IO.Directory.Exists(folder)) System.IO.Directory.Delete(folder, recursive: true);
    }

    /// <summary>Keeps the <paramref name="keep"/> highest steps (0: every one), and always <paramref name="current"/> (just written).</summary>
    public void PruneCheckpoints(int keep, string current)
    {
        if (keep == 0) return;
        var all = Checkpoints(Directory);
        foreach (var old in all.Take(Math.Max(0, all.Count - keep)))
            if (Path.GetFullPath(old) != Path.GetFullPath(current)) File.Delete(old);
    }
}
