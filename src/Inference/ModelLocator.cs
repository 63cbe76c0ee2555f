using FastStyle.Data;

namespace FastStyle.Inference;

/// <summary>
/// Finds the ONNX model `stylize` should run: a path, or the name of a model shipped in the models
/// folder (`--model wave` for models/wave.onnx), else $FASTSTYLE_MODEL, else the default shipped style.
/// </summary>
public static class ModelLocator
{
    public const string EnvironmentVariable = "FASTSTYLE_MODEL";
    public const string DefaultStyle = "starry_night";
    const string Extension = ".onnx";

    /// <summary>
    /// The shipped models' folder: models/ next to the application, where the faststyle CLI and its
    /// dotnet tool package keep them (an app using this library can copy models there too).
    /// </summary>
    public static string ShippedFolder { get; } = Path.Combine(AppContext.BaseDirectory, "models");

    /// <summary><see cref="Resolve(string?, string)"/> with the models next to the application (<see cref="ShippedFolder"/>).</summary>
    public static string Resolve(string? modelOrName) => Resolve(modelOrName, ShippedFolder);

    /// <param name="modelOrName">--model as given (a file path or a shipped style name), or null.</param>
    /// <param name="shippedFolder">folder of the shipped models (next to the CLI).</param>
    public static string Resolve(string? modelOrName, string shippedFolder)
    {
        string? fromEnv = Environment.GetEnvironmentVariable(EnvironmentVariable);
        string requested = !string.IsNullOrWhiteSpace(modelOrName) ? modelOrName
            : !string.IsNullOrWhiteSpace(fromEnv) ? fromEnv
            : DefaultStyle;
        if (File.Exists(requested)) return requested;
        if (IsName(requested))
        {
            string shipped = Path.Combine(shippedFolder, requested + Extension);
            if (File.Exists(shipped)) return shipped;
            throw new FastStyleError($"model '{requested}': no such file and no shipped model of that name (shipped: {string.Join(", ", ShippedNames(shippedFolder))})");
        }
        throw new FastStyleError($"model '{requested}': file not found (pass --model M.onnx or a shipped style name; `faststyle export` makes a model from a checkpoint)");
    }

    /// <summary>Names of the models in the shipped folder, sorted.</summary>
    public static IReadOnlyList<string> ShippedNames(string shippedFolder) => Directory.Exists(shippedFolder)
        ? Directory.GetFiles(shippedFolder, "*" + Extension).Select(f => Path.GetFileNameWithoutExtension(f)!).Order(StringComparer.Ordinal).ToList()
        : [];

    /// <summary>A bare style name: no folder part and no extension.</summary>
    static bool IsName(string value) => value.IndexOfAny(['/', '\\']) < 0 && !Path.HasExtension(value);
}
