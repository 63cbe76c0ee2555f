namespace FastStyle.TestSupport;

/// <summary>The repository the tests were built from: shipped files (models, configs) that tests check are still readable.</summary>
public static class Repository
{
    /// <summary>The folder holding FastStyle.sln, found by walking up from the test binaries.</summary>
    public static string Root { get; } = Find();

    public static string File(params string[] parts) => Path.Combine([Root, .. parts]);

    static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "FastStyle.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("FastStyle.sln not found above " + AppContext.BaseDirectory);
    }
}
