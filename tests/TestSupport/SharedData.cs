namespace FastStyle.TestSupport;

/// <summary>
/// Locates ../shared (real VGG weights, styles, photos). It exists in development and CI only;
/// tests that need it are marked <see cref="SharedDataFactAttribute"/> and are skipped with a clear reason elsewhere.
/// </summary>
public static class SharedData
{
    public static string? Root { get; } = Find();

    static string? Find()
    {
        var env = Environment.GetEnvironmentVariable("FASTSTYLE_SHARED");
        if (!string.IsNullOrEmpty(env) && Directory.Exists(env)) return Path.GetFullPath(env);
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared");
            if (File.Exists(Path.Combine(candidate, "models", "vgg19.safetensors"))) return candidate;
        }
        return null;
    }


    public static string VggPath => Path.Combine(Root ?? "shared", "models", "vgg19.safetensors");
    public static string Content(string name) => Path.Combine(Root ?? "shared", "data", "content", name);
    public static string Style(string name) => Path.Combine(Root ?? "shared", "data", "styles", name);
}

/// <summary>A [Fact] that is skipped, with the reason, when ../shared is absent.</summary>
public sealed class SharedDataFactAttribute : Xunit.FactAttribute
{
    public SharedDataFactAttribute()
    {
        if (SharedData.Root is null)
            Skip = "needs ../shared (real VGG-19 weights and images); not present on this machine";
    }
}
