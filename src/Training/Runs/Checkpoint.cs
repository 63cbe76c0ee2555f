using System.Globalization;
using FastStyle.Data;
using FastStyle.Data.Weights;
using FastStyle.Inference;

namespace FastStyle.Training.Runs;

/// <summary>
/// A training checkpoint as one safetensors file: network weights ("net.*"), Adam moments
/// ("adam.m.*", "adam.v.*") and, in the metadata, the schema version, step, data position, seed,
/// the resolved config and its hash. Versioned so old files are recognised, not misread
/// (field notes: checkpoints that break across versions).
/// </summary>
internal sealed record Checkpoint
{
    public const string SchemaVersion = "1";
    const string NetPrefix = "net.";
    const string OptimizerPrefix = "adam.";

    public required long Step { get; init; }
    public required int Epoch { get; init; }
    public required int IndexInEpoch { get; init; }
    public required string ConfigText { get; init; }
    public required string ConfigHash { get; init; }
    public required TransformerArchitecture Architecture { get; init; }
    /// <summary>The network's name (a multi-style network's is its style names joined by '+').</summary>
    public required string StyleName { get; init; }
    /// <summary>The style image's sha256; for several styles their hashes joined by ',' (the list is <see cref="Styles"/>).</summary>
    public required string StyleImageSha256 { get; init; }
    /// <summary>Styles in style-weight column order; null for a single-style network (then <see cref="StyleName"/> and <see cref="StyleImageSha256"/>).</summary>
    public IReadOnlyList<StyleEntry>? MultiStyles { get; init; }
    public IReadOnlyList<StyleEntry> Styles => MultiStyles ?? [new(StyleName, StyleImageSha256)];
    /// <summary>`train: norm_only` runs: the first style row this run trains (rows before it came from init_from and stay frozen); null for ordinary runs.</summary>
    public int? NormOnlyFirstStyle { get; init; }
    public required int Seed { get; init; }
    /// <summary>The compute type the run used and why ("precision bf16 (auto: ...)"); empty in older checkpoints.</summary>
    public string Precision { get; init; } = "";
    /// <summary>Factor on the scheduled learning rate after spike-guard rollbacks (1: none); absent in older checkpoints.</summary>
    public double LearningRateBackoff { get; init; } = 1.0;
    public required IReadOnlyDictionary<string, TensorData> NetworkWeights { get; init; }
    public required IReadOnlyDictionary<string, TensorData> OptimizerState { get; init; }

    /// <param name="compactOptimizerState">
    /// store the Adam moments as bfloat16 (weights stay float32): a third smaller, for the one resumable
    /// checkpoint per unfinished run kept in the repository (issue 11). Moments are running averages;
    /// bf16's 3 significant digits change the next updates by far less than a batch's noise.
    /// </param>
    public void Save(string path, bool compactOptimizerState = false)
    {
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "faststyle.checkpoint",
            ["schema_version"] = SchemaVersion,
            ["step"] = Step.ToString(CultureInfo.InvariantCulture),
            ["epoch"] = Epoch.ToString(CultureInfo.InvariantCulture),
            ["index_in_epoch"] = IndexInEpoch.ToString(CultureInfo.InvariantCulture),
            ["seed"] = Seed.ToString(CultureInfo.InvariantCulture),
            ["config"] = ConfigText,
            ["config_sha256"] = ConfigHash,
            ["style_name"] = StyleName,
            ["precision"] = Precision,
            ["lr_backoff"] = LearningRateBackoff.ToString("R", CultureInfo.InvariantCulture),
            ["style_image_sha256"] = StyleImageSha256,
            ["base_channels"] = Architecture.BaseChannels.ToString(CultureInfo.InvariantCulture),
            ["residual_blocks"] = Architecture.ResidualBlocks.ToString(CultureInfo.InvariantCulture),
            ["upsample"] = EnumText<UpsampleMode>.Of(Architecture.Upsample),
        };
        if (Architecture.IsMultiStyle)
        {
            // Absent for one style, so single-style checkpoints are written exactly as before.
            metadata["num_styles"] = Architecture.Styles.ToString(CultureInfo.InvariantCulture);
            metadata["style_names"] = StyleList.NamesJson(Styles);
            metadata["style_image_sha256s"] = StyleList.HashesJson(Styles);
        }
        if (NormOnlyFirstStyle is { } first)
        {
            metadata["train"] = "norm_only";
            metadata["norm_only_first_style"] = first.ToString(CultureInfo.InvariantCulture);
        }
        var tensors = NetworkWeights.Values.Select(t => t with { Name = NetPrefix + t.Name }).Concat(OptimizerState.Values);
        SafetensorsFile.Write(path, tensors, metadata, // atomic: temp file + rename
            compactOptimizerState ? name => name.StartsWith(OptimizerPrefix, StringComparison.Ordinal) : null);
    }

    public static Checkpoint Load(string path)
    {
        if (!File.Exists(path)) throw new FastStyleError($"checkpoint '{path}': file not found");
        var file = SafetensorsFile.Read(path);
        var meta = file.Metadata;
        if (!meta.TryGetValue("format", out var format) || format != "faststyle.checkpoint")
            throw new FastStyleError($"checkpoint '{path}': not a FastStyle checkpoint (no format=faststyle.checkpoint metadata)");
        if (meta.GetValueOrDefault("schema_version") != SchemaVersion)
            throw new FastStyleError($"checkpoint '{path}': schema version {meta.GetValueOrDefault("schema_version") ?? "?"} is not supported (this build reads {SchemaVersion})");
        string Get(string key) => meta.TryGetValue(key, out var v) ? v : throw new FastStyleError($"checkpoint '{path}': metadata '{key}' missing");
        // Strict: digits only, in range, or a one-line error naming the key; a corrupt or crafted
        // file must neither crash nor be read as something else.
        long Number(string key, long min, long max)
        {
            string text = Get(key);
            if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value) || value < min || value > max)
                throw new FastStyleError($"checkpoint '{path}': metadata '{key}' is '{Shorten(text)}', expected an integer from {min} to {max}");
            return value;
        }
        int Int(string key, int min, int max) => (int)Number(key, min, max);
        double Backoff()
        {
            if (!meta.TryGetValue("lr_backoff", out var text)) return 1.0;
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !(value > 0 && value <= 1))
                throw new FastStyleError($"checkpoint '{path}': metadata 'lr_backoff' is '{Shorten(text)}', expected a number in (0, 1]");
            return value;
        }
        string upsampleText = Get("upsample");
        var upsample = EnumText<UpsampleMode>.Parse(upsampleText)
            ?? throw new FastStyleError($"checkpoint '{path}': metadata 'upsample' is '{Shorten(upsampleText)}', expected one of {string.Join(", ", EnumText<UpsampleMode>.All)}");
        int styles = meta.ContainsKey("num_styles") ? Int("num_styles", 2, TransformerArchitecture.MaxStyles) : 1;
        IReadOnlyList<StyleEntry>? multiStyles = null;
        if (styles > 1)
            multiStyles = StyleList.Parse(meta.GetValueOrDefault("style_names"), meta.GetValueOrDefault("style_image_sha256s"), styles, out string reason)
                ?? throw new FastStyleError($"checkpoint '{path}': metadata 'style_names'/'style_image_sha256s': {reason}");
        int? normOnlyFirst = meta.ContainsKey("norm_only_first_style") ? Int("norm_only_first_style", 0, styles - 1) : null;
        return new Checkpoint
        {
            MultiStyles = multiStyles,
            NormOnlyFirstStyle = normOnlyFirst,
            Step = Number("step", 0, long.MaxValue),
            Epoch = Int("epoch", 0, int.MaxValue),
            IndexInEpoch = Int("index_in_epoch", 0, int.MaxValue),
            Seed = Int("seed", int.MinValue, int.MaxValue),
            ConfigText = Get("config"),
            ConfigHash = Get("config_sha256"),
            StyleName = Get("style_name"),
            Precision = meta.GetValueOrDefault("precision") ?? "",
            LearningRateBackoff = Backoff(),
            StyleImageSha256 = Get("style_image_sha256"),
            Architecture = new TransformerArchitecture(Int("base_channels", 1, TransformerArchitecture.MaxBaseChannels),
                Int("residual_blocks", 0, TransformerArchitecture.MaxResidualBlocks), upsample, styles),
            NetworkWeights = file.Tensors.Where(kv => kv.Key.StartsWith(NetPrefix, StringComparison.Ordinal))
                .ToDictionary(kv => kv.Key[NetPrefix.Length..], kv => kv.Value with { Name = kv.Key[NetPrefix.Length..] }),
            OptimizerState = file.Tensors.Where(kv => kv.Key.StartsWith(OptimizerPrefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value),
        };
    }

    static string Shorten(string text) => text.Length <= 40 ? text.ReplaceLineEndings(" ") : text[..40].ReplaceLineEndings(" ") + "...";
}
