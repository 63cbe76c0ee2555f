using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using FastStyle.Data;
using FastStyle.Data.Imaging;
using FastStyle.Inference;

namespace FastStyle.Cli.Commands;

/// <summary>Options several commands share, described once so `--help` reads the same everywhere.</summary>
public static class CommonOptions
{
    public static Option<string?> Vgg() => new("--vgg")
    {
        Description = "VGG weights (safetensors or PyTorch .pth, torchvision names). Default: $FASTSTYLE_VGG, else ~/.cache/faststyle/vgg19.safetensors, else torchvision's vgg19/vgg16 .pth in the torch hub cache",
    };

    /// <summary>Refusing to replace an input is the default; this is the one way to ask for it.</summary>
    public static Option<bool> Overwrite() => new("--overwrite")
    {
        Description = "Allow an output path that is also an input (the input is replaced)",
    };

    /// <summary>A positive integer (iterations, steps, threads).</summary>
    public static Option<int?> Positive(string name, string description, int max = int.MaxValue) => Integer(name, description, min: 1, max);

    /// <summary>
    /// A longest side in pixels: bounded by the decoder's pixel budget, so a typo like `--size 2000000000`
    /// is one line instead of an out-of-memory crash.
    /// </summary>
    public static Option<int?> Size(string name, string description) => Positive(name, description, ImageLoadOptions.MaxSide);

    /// <summary>
    /// An integer parsed strictly in the invariant culture (no exponents, separators or fractions);
    /// anything else, or a value outside [min, max], is a parse error: one line and exit 2 rather
    /// than System.CommandLine's InvalidOperationException when a validator reads a failed value.
    /// </summary>
    public static Option<int?> Integer(string name, string description, int min, int max = int.MaxValue)
    {
        string range = max == int.MaxValue ? $"an integer >= {min}" : $"an integer from {min} to {max}";
        return new Option<int?>(name)
        {
            Description = description,
            CustomParser = result =>
            {
                string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
                if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value) && value >= min && value <= max)
                    return (int)value;
                result.AddError($"{name}: '{text}' is not {range}");
                return null;
            },
        };
    }

    /// <summary>A number in [0, 1] with a dot as decimal separator: `0,5` is an error, not 5 (invariant culture would read the comma as a thousands separator).</summary>
    public static Option<float> Fraction(string name, string description, float defaultValue) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (float.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out float value) && value is >= 0f and <= 1f)
                return value;
            result.AddError($"{name}: '{text}' is not a number from 0 to 1 (use a dot for decimals: 0.5)");
            return defaultValue;
        },
    };

    /// <summary>
    /// An enum option spelled as in files (<see cref="EnumText{T}"/>), defaulting to the library's default
    /// so --help prints it; read it back with <see cref="ChoiceValue{T}"/>.
    /// </summary>
    public static Option<string> Choice<T>(string name, string description, T defaultValue) where T : struct, Enum
    {
        var option = new Option<string>(name) { Description = description, DefaultValueFactory = _ => EnumText<T>.Of(defaultValue) };
        option.AcceptOnlyFromAmong([.. EnumText<T>.All]);
        return option;
    }

    /// <summary>The value of a <see cref="Choice{T}"/> option (the parser has already refused other spellings).</summary>
    public static T ChoiceValue<T>(ParseResult parse, Option<string> option) where T : struct, Enum
        => EnumText<T>.Parse(parse.GetValue(option)) ?? throw new InvalidOperationException($"{option.Name}: not a {typeof(T).Name}");

    public static void RequireFile(string path, string what)
    {
        if (Directory.Exists(path)) throw new FastStyleError($"{what} '{path}': is a directory, expected a file");
        if (!File.Exists(path)) throw new FastStyleError($"{what} '{path}': file not found");
    }
}
