using System.Reflection;

namespace FastStyle.Inference;

/// <summary>How an enum value is spelled in files (YAML configs, checkpoint and ONNX metadata, reports) when not its lower-cased name.</summary>
[AttributeUsage(AttributeTargets.Field)]
public sealed class SpelledAttribute(string text) : Attribute
{
    public string Text { get; } = text;
}

/// <summary>
/// The one mapping between an enum and its spelling in files: a value's <see cref="SpelledAttribute"/>,
/// else its lower-cased name ("nearest", "transpose", "bf16"). Writers and readers of every format
/// use this, so a spelling is defined once, on the enum member.
/// </summary>
public static class EnumText<T> where T : struct, Enum
{
    static readonly (T Value, string Text)[] table = typeof(T).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => ((T)f.GetValue(null)!, f.GetCustomAttribute<SpelledAttribute>()?.Text ?? f.Name.ToLowerInvariant()))
        .ToArray();

    /// <summary>Every spelling, in declaration order (for "must be one of ..." messages and CLI choices).</summary>
    public static IReadOnlyList<string> All { get; } = table.Select(e => e.Text).ToArray();

    public static string Of(T value)
    {
        foreach (var (v, text) in table)
            if (EqualityComparer<T>.Default.Equals(v, value)) return text;
        throw new ArgumentOutOfRangeException(nameof(value), value, $"not a declared {typeof(T).Name}");
    }

    /// <summary>The value spelled exactly <paramref name="text"/>, or null for anything else (including null).</summary>
    public static T? Parse(string? text)
    {
        foreach (var (v, t) in table)
            if (string.Equals(t, text, StringComparison.Ordinal)) return v;
        return null;
    }
}
