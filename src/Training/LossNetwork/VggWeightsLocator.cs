using FastStyle.Data;

namespace FastStyle.Training.LossNetwork;

/// <summary>
/// Finds the VGG weights file: an explicit path (--vgg), else $FASTSTYLE_VGG, else the default
/// under the user's cache folder. The loss network is never downloaded (see README "VGG weights").
/// </summary>
public static class VggWeightsLocator
{
    public const string EnvironmentVariable = "FASTSTYLE_VGG";

    public static string DefaultPath
    {
        get
        {
            var cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            if (string.IsNullOrEmpty(cache))
                cache = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            return Path.Combine(cache, "faststyle", "vgg19.safetensors");
        }
    }

    public static string Resolve(string? explicitPath)
    {
        string? fromEnv = Environment.GetEnvironmentVariable(EnvironmentVariable);
        (string path, string origin) = !string.IsNullOrWhiteSpace(explicitPath) ? (explicitPath, "--vgg")
            : !string.IsNullOrWhiteSpace(fromEnv) ? (fromEnv, "$" + EnvironmentVariable)
            : (DefaultPath, "the default location");
        if (File.Exists(path)) return path;
        throw new FastStyleError(
            $"VGG weights '{path}' (from {origin}) not found: expected a safetensors file with torchvision VGG-19/VGG-16 " +
            $"'features.N.weight/bias' tensors; pass --vgg PATH, set {EnvironmentVariable}, or place it at {DefaultPath} (see README \"VGG weights\")");
    }
}
