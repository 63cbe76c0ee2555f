using System.CommandLine;
using FastStyle.Data;

namespace FastStyle.Cli.Commands;

/// <summary>Options several commands share, described once so `--help` reads the same everywhere.</summary>
public static class CommonOptions
{
    public static Option<string?> Vgg() => new("--vgg")
    {
        Description = "VGG weights (safetensors, torchvision names). Default: $FASTSTYLE_VGG, else ~/.cache/faststyle/vgg19.safetensors",
    };

    public static Option<int?> Positive(string name, string description) => WithCheck(new Option<int?>(name) { Description = description });

    static Option<int?> WithCheck(Option<int?> option)
    {
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is <= 0) result.AddError($"{option.Name} must be a positive integer");
        });
        return option;
    }

    public static void RequireFile(string path, string what)
    {
        if (Directory.Exists(path)) throw new FastStyleError($"{what} '{path}': is a directory, expected a file");
        if (!File.Exists(path)) throw new FastStyleError($"{what} '{path}': file not found");
    }
}
