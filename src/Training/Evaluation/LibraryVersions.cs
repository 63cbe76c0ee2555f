using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace FastStyle.Training.Evaluation;

/// <summary>
/// Versions of the libraries a timing or loss depends on. Read from the loaded assemblies'
/// informational versions (the NuGet package version) so a report states what actually ran,
/// not what a project file asked for.
/// </summary>
internal static class LibraryVersions
{
    public static string TorchSharp => Of(typeof(TorchSharp.torch));
    public static string OnnxRuntime => Of(typeof(Microsoft.ML.OnnxRuntime.InferenceSession));
    public static string DotNet => RuntimeInformation.FrameworkDescription;
    public static string FastStyle => Of(typeof(LibraryVersions));

    public static JsonObject ToJson() => new()
    {
        ["torchsharp"] = TorchSharp,
        ["onnxruntime"] = OnnxRuntime,
        ["dotnet"] = DotNet,
        ["faststyle"] = FastStyle,
        ["os"] = RuntimeInformation.OSDescription,
        ["processors"] = Environment.ProcessorCount,
    };

    static string Of(Type type)
    {
        var assembly = type.Assembly;
        string version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString() ?? "unknown";
        // "1.2.3+<commit sha>": the suffix is SourceLink's commit, noise in a report.
        int plus = version.IndexOf('+');
        return plus >= 0 ? version[..plus] : version;
    }
}
