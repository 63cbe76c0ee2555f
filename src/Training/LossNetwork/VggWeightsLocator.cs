using FastStyle.Data;

namespace FastStyle.Training.LossNetwork;

/// <summary>
/// Finds the VGG weights file: an explicit path (--vgg), else $FASTSTYLE_VGG, else the first of
/// <see cref="DefaultCandidates"/> that exists: our own cache file, then torchvision's VGG-19 and
/// VGG-16 in the torch hub cache, where `torchvision.models.vgg19(weights=...)` leaves them, so a
/// PyTorch user's existing download is found. Nothing is ever downloaded (see README "VGG weights").
/// </summary>
public static class VggWeightsLocator
{
    public const string EnvironmentVariable = "FASTSTYLE_VGG";

    /// <summary>torchvision's published ImageNet VGG file names (the suffix is the start of their sha256).</summary>
    public const string TorchvisionVgg19File = "vgg19-dcbb9e9d.pth";
    public const string TorchvisionVgg16File = "vgg16-397923af.pth";

    static string CacheHome
    {
        get
        {
            var cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            return string.IsNullOrEmpty(cache) ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache") : cache;
        }
    }

    public static string DefaultPath => Path.Combine(CacheHome, "faststyle", "vgg19.safetensors");

    /// <summary>torch.hub's checkpoint folder: $TORCH_HOME/hub/checkpoints, TORCH_HOME defaulting to $XDG_CACHE_HOME/torch (torch.hub._get_torch_home).</summary>
    public static string TorchHubCheckpoints
    {
        get
        {
            var torchHome = Environment.GetEnvironmentVariable("TORCH_HOME");
            return Path.Combine(string.IsNullOrEmpty(torchHome) ? Path.Combine(CacheHome, "torch") : torchHome, "hub", "checkpoints");
        }
    }

    /// <summary>Where the default search looks, in order; VGG-19 first because the configs default to it.</summary>
    public static IReadOnlyList<string> DefaultCandidates =>
        [DefaultPath, Path.Combine(TorchHubCheckpoints, TorchvisionVgg19File), Path.Combine(TorchHubCheckpoints, TorchvisionVgg16File)];

    public static string Resolve(string? explicitPath)
    {
        string? fromEnv = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(explicitPath)) return Existing(explicitPath, "--vgg");
        if (!string.IsNullOrWhiteSpace(fromEnv)) return Existing(fromEnv, "$" + EnvironmentVariable);
        var candidates = DefaultCandidates;
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new FastStyleError(
                $"VGG weights not found in the default locations ({string.Join(", ", candidates)}): " + Expected +
                $"; pass --vgg PATH, set {EnvironmentVariable}, or place it at {DefaultPath} (see README \"VGG weights\")");
    }

    const string Expected = "expected a safetensors file or a PyTorch state dict (.pth) with torchvision VGG-19/VGG-16 'features.N.weight/bias' tensors";

    static string Existing(string path, string origin) => File.Exists(path) ? path
        : throw new FastStyleError($"VGG weights '{path}' (from {origin}) not found: {Expected}; pass --vgg PATH, set {EnvironmentVariable}, or place it at {DefaultPath} (see README \"VGG weights\")");
}
