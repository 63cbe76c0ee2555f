using FastStyle.Training.Config;

namespace FastStyle.Training.Losses;

/// <summary>
/// Reads a loss definition from YAML: either a loss-only file (network, content_layers, ...) or a
/// training config, whose `loss:` section is used, so `optimize --loss configs/starry_night.yaml`
/// optimises exactly the objective the network was trained on.
/// </summary>
public static class LossConfigFile
{
    public static LossConfig Load(string path, LossConfig defaults)
    {
        var root = YamlSection.Load(path);
        if (root.Has("loss"))
        {
            var section = root.Section("loss")!;
            return LossConfig.Read(section, defaults);
        }
        return LossConfig.Read(root, defaults);
    }
}
