using System.Text.Json;

namespace FastStyle.Inference;

/// <summary>
/// A multi-style network's style names and image hashes as stored in file metadata (ONNX
/// metadata_props and checkpoint metadata are string to string): two JSON string arrays in style
/// order, so names need no escaping rules of our own. One place reads and writes both forms.
/// </summary>
public static class StyleList
{
    public static string NamesJson(IReadOnlyList<StyleEntry> styles) => JsonSerializer.Serialize(styles.Select(s => s.Name).ToArray());

    public static string HashesJson(IReadOnlyList<StyleEntry> styles) => JsonSerializer.Serialize(styles.Select(s => s.ImageSha256).ToArray());

    /// <summary>The entries, or null with a reason when the texts are not two string arrays of <paramref name="count"/> items.</summary>
    public static IReadOnlyList<StyleEntry>? Parse(string? namesJson, string? hashesJson, int count, out string reason)
    {
        string[]? names = Strings(namesJson), hashes = Strings(hashesJson);
        reason = names is null ? "style names are not a JSON list of strings"
            : hashes is null ? "style image hashes are not a JSON list of strings"
            : names.Length != count || hashes.Length != count ? $"{names.Length} style names and {hashes.Length} hashes for {count} styles"
            : names.Distinct(StringComparer.Ordinal).Count() != count ? "style names repeat"
            : "";
        return reason == "" ? names!.Zip(hashes!, (n, h) => new StyleEntry(n, h)).ToList() : null;
    }

    static string[]? Strings(string? json)
    {
        if (json is null) return null;
        try
        {
            var values = JsonSerializer.Deserialize<string[]>(json);
            return values is null || values.Any(v => v is null) ? null : values;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
