using FastStyle.Data;
using FastStyle.Training.Config;
using FastStyle.Training.Runs;

namespace FastStyle.Training.Losses;

/// <summary>
/// Reads a loss definition from YAML: either a loss-only file (network, content_layers, ...), whose
/// missing keys take the Gatys et al. defaults, or a training config (it has a `loss:` section), which
/// is read as the trainer reads it, so `optimize --loss configs/starry_night.yaml` optimises exactly
/// the objective the network was trained on: the training defaults fill missing loss keys, and every
/// other key of the file is validated too (a typo is an error, not ignored).
/// </summary>
public static class LossConfigFile
{
    /// <summary>What reports record as the loss's source when no file was given.</summary>
    public const string GatysDefaultsSource = "gatys-defaults";

    /// <summary>The loss in <paramref name="path"/>, or <see cref="LossConfig.GatysDefaults"/> when it is null, with where it came from (for reports).</summary>
    public static (LossConfig Loss, string Source) LoadOrGatysDefaults(string? path)
        => path is null ? (LossConfig.GatysDefaults, GatysDefaultsSource) : (Load(path), path);

    public static LossConfig Load(string path)
    {
        var root = YamlSection.Load(path);
        if (root.IsEmpty) throw new FastStyleError($"loss config '{path}': is empty (expected content_layers, style_layers, ... or a training config with a loss: section)");
        if (root.Has("loss")) return TrainingConfig.Read(root, Path.GetDirectoryName(Path.GetFullPath(path))!).Loss;
        return LossConfig.Read(root, LossConfig.GatysDefaults);
    }
}
