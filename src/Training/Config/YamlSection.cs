using System.Globalization;
using FastStyle.Data;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace FastStyle.Training.Config;

/// <summary>
/// Strict, typed reading of one YAML mapping. Every getter names its key as known; after reading,
/// <see cref="RejectUnknownKeys"/> turns any other key into an error naming the key and its line,
/// so a typo ("stlye_weight") never silently falls back to a default.
/// </summary>
internal sealed class YamlSection
{
    readonly string file;
    readonly string prefix;
    readonly YamlMappingNode node;
    readonly List<string> known = [];
    /// <summary>Nodes added by --set: they carry line numbers of their own one-line snippet, not of the file.</summary>
    static readonly System.Runtime.CompilerServices.ConditionalWeakTable<YamlNode, object> overrideNodes = new();

    YamlSection(string file, string prefix, YamlMappingNode node)
    {
        this.file = file;
        this.prefix = prefix;
        this.node = node;
    }

    public static YamlSection Parse(string text, string file, IEnumerable<string>? overrides = null)
    {
        YamlMappingNode root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            root = stream.Documents.Count == 0 ? new YamlMappingNode()
                : stream.Documents[0].RootNode as YamlMappingNode
                  ?? throw new FastStyleError($"config '{file}': expected a mapping of keys to values at the top level");
        }
        catch (YamlException e)
        {
            throw new FastStyleError($"config '{file}' line {e.Start.Line}: malformed YAML: {OneLine(e.InnerException?.Message ?? e.Message)}");
        }
        foreach (var assignment in overrides ?? []) ApplyOverride(root, assignment, file);
        return new YamlSection(file, "", root);
    }

    public static YamlSection Load(string path, IEnumerable<string>? overrides = null)
    {
        if (!File.Exists(path)) throw new FastStyleError($"config '{path}': file not found");
        return Parse(File.ReadAllText(path), path, overrides);
    }

    /// <summary>--set a.b=value: replaces (or adds) a scalar in the tree before it is read, so it is validated like the file.</summary>
    static void ApplyOverride(YamlMappingNode root, string assignment, string file)
    {
        int eq = assignment.IndexOf('=');
        if (eq <= 0) throw new FastStyleError($"--set '{assignment}': expected key=value (e.g. --set image_size=128)");
        string[] path = assignment[..eq].Trim().Split('.');
        string value = assignment[(eq + 1)..].Trim();
        var current = root;
        for (int i = 0; i < path.Length - 1; i++)
        {
            var key = new YamlScalarNode(path[i]);
            if (!current.Children.TryGetValue(key, out var child))
            {
                child = new YamlMappingNode();
                overrideNodes.AddOrUpdate(key, assignment);
                current.Children[key] = child;
            }
            current = child as YamlMappingNode ?? throw new FastStyleError($"--set '{assignment}': '{path[i]}' is not a section");
        }
        YamlNode parsed;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader("v: " + value));
            parsed = ((YamlMappingNode)stream.Documents[0].RootNode).Children[new YamlScalarNode("v")];
        }
        catch (YamlException)
        {
            throw new FastStyleError($"--set '{assignment}': value is not valid YAML");
        }
        var keyNode = new YamlScalarNode(path[^1]);
        foreach (var n in parsed.AllNodes.Append(keyNode)) overrideNodes.AddOrUpdate(n, assignment);
        current.Children[keyNode] = parsed;
    }

    public string FilePath => file;

    string Where(YamlNode n) => n.Start.Line > 0 && !overrideNodes.TryGetValue(n, out _) ? $"config '{file}' line {n.Start.Line}" : $"config '{file}' (from --set)";

    string Qualified(string key) => prefix + key;

    YamlNode? Get(string key)
    {
        known.Add(key);
        return node.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v : null;
    }

    string Scalar(string key, YamlNode n, string expected)
        => n is YamlScalarNode s && s.Value != null
            ? s.Value
            : throw new FastStyleError($"{Where(n)}: '{Qualified(key)}' must be {expected}");

    public bool IsEmpty => node.Children.Count == 0;

    public bool Has(string key) => node.Children.ContainsKey(new YamlScalarNode(key));

    public double Double(string key, double fallback, double min = double.NegativeInfinity, double max = double.PositiveInfinity)
    {
        var n = Get(key);
        if (n == null) return fallback;
        string text = Scalar(key, n, "a number");
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || double.IsNaN(v))
            throw new FastStyleError($"{Where(n)}: '{Qualified(key)}' must be a number, got '{text}'");
        if (v < min || v > max)
            throw new FastStyleError($"{Where(n)}: '{Qualified(key)}' = {text} is out of range [{min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}]");
        return v;
    }

    public int Int(string key, int fallback, int min = int.MinValue, int max = int.MaxValue)
    {
        var n = Get(key);
        if (n == null) return fallback;
        string text = Scalar(key, n, "an integer");
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
            throw new FastStyleError($"{Where(n)}: '{Qualified(key)}' must be an integer, got '{text}'");
        if (v < min || v > max)
            throw new FastStyleError($"{Where(n)}: '{Qualified(key)}' = {v} is out of range [{min}, {max}]");
        return v;
    }

    public int? OptionalInt(string key, int min = int.MinValue, int max = int.MaxValue)
        => Has(key) && !IsNull(key) ? Int(key, 0, min, max) : MarkKnown<int?>(key, null);

    public string? String(string key, string? fallback)
    {
        var n = Get(key);
        if (n == null || IsNullNode(n)) return fallback;
        return Scalar(key, n, "a string");
    }

    public bool Bool(string key, bool fallback)
    {
        var n = Get(key);
        if (n == null) return fallback;
        string text = Scalar(key, n, "true or false");
        return text.ToLowerInvariant() switch
        {
            "true" or "yes" or "on" => true,
            "false" or "no" or "off" => false,
            _ => throw new FastStyleError($"{Where(n)}: '{Qualified(key)}' must be true or false, got '{text}'"),
        };
    }

    public string Choice(string key, string fallback, params string[] allowed)
    {
        var n = Get(key);
        if (n == null) return fallback;
        string text = Scalar(key, n, "one of " + string.Join(", ", allowed)).ToLowerInvariant();
        if (!allowed.Contains(text))
            throw new FastStyleError($"{Where(n)}: '{Qualified(key)}' must be one of {string.Join(", ", allowed)}, got '{text}'");
        return text;
    }

    /// <summary>An enum value by its spelling in files (<see cref="Inference.EnumText{T}"/>).</summary>
    public T Choice<T>(string key, T fallback) where T : struct, Enum
        => Inference.EnumText<T>.Parse(Choice(key, Inference.EnumText<T>.Of(fallback), [.. Inference.EnumText<T>.All]))!.Value;

    public IReadOnlyList<string> StringList(string key, IReadOnlyList<string> fallback)
    {
        var n = Get(key);
        if (n == null) return fallback;
        if (n is YamlScalarNode single && single.Value is { Length: > 0 }) return [single.Value];
        if (n is not YamlSequenceNode seq) throw new FastStyleError($"{Where(n)}: '{Qualified(key)}' must be a list of strings");
        return seq.Children.Select(c => Scalar(key, c, "a list of strings")).ToList();
    }

    /// <summary>A mapping of names to numbers, e.g. style layers with their weights.</summary>
    /// <param name="checkKey">Returns a problem with a map key (e.g. an unknown layer), or null if it is fine.</param>
    public IReadOnlyDictionary<string, double> NumberMap(string key, IReadOnlyDictionary<string, double> fallback, Func<string, string?>? checkKey = null)
    {
        var n = Get(key);
        if (n == null) return fallback;
        if (n is not YamlMappingNode map) throw new FastStyleError($"{Where(n)}: '{Qualified(key)}' must be a mapping of layer: weight");
        var result = new Dictionary<string, double>();
        foreach (var (k, v) in map.Children)
        {
            string name = Scalar(key, k, "a mapping of layer: weight");
            if (checkKey?.Invoke(name) is { } problem) throw new FastStyleError($"{Where(k)}: '{Qualified(key)}': {problem}");
            string text = Scalar(key, v, "a number");
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double w) || double.IsNaN(w) || w < 0)
                throw new FastStyleError($"{Where(v)}: '{Qualified(key)}.{name}' must be a non-negative number, got '{text}'");
            result[name] = w;
        }
        return result;
    }

    public YamlSection? Section(string key)
    {
        var n = Get(key);
        if (n == null || IsNullNode(n)) return null;
        if (n is not YamlMappingNode map) throw new FastStyleError($"{Where(n)}: '{Qualified(key)}' must be a section (a mapping of keys)");
        return new YamlSection(file, prefix + key + ".", map);
    }

    /// <summary>A list of sections (`styles: [{name: ..., image: ...}, ...]`), each prefixed "key[i].", or null when absent.</summary>
    public IReadOnlyList<YamlSection>? SectionList(string key)
    {
        var n = Get(key);
        if (n == null || IsNullNode(n)) return null;
        if (n is not YamlSequenceNode seq || seq.Children.Count == 0 || seq.Children.Any(c => c is not YamlMappingNode))
            throw new FastStyleError($"{Where(n)}: '{Qualified(key)}' must be a non-empty list of sections (- name: ..., image: ...)");
        return seq.Children.Select((c, i) => new YamlSection(file, $"{prefix}{key}[{i}].", (YamlMappingNode)c)).ToList();
    }

    /// <summary>Errors on the first key no getter asked for.</summary>
    public void RejectUnknownKeys()
    {
        foreach (var (k, _) in node.Children)
        {
            string name = (k as YamlScalarNode)?.Value ?? "?";
            if (!known.Contains(name))
                throw new FastStyleError($"{Where(k)}: unknown key '{Qualified(name)}' (known keys: {string.Join(", ", known.Distinct().Select(Qualified))})");
        }
    }

    /// <summary>Marks a key as known without reading it (used when another reader owns it).</summary>
    public void Allow(string key) => known.Add(key);

    bool IsNull(string key) => node.Children.TryGetValue(new YamlScalarNode(key), out var v) && IsNullNode(v);

    static bool IsNullNode(YamlNode n) => n is YamlScalarNode { Value: null or "" or "~" or "null" } s && s.Style == YamlDotNet.Core.ScalarStyle.Plain;

    T MarkKnown<T>(string key, T value)
    {
        known.Add(key);
        return value;
    }

    static string OneLine(string s) => s.Replace('\n', ' ').Replace('\r', ' ');
}
