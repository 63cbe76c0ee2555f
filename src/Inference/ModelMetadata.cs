using System.Globalization;

namespace FastStyle.Inference;

/// <summary>
/// What a FastStyle ONNX file says about itself, stored as ModelProto.metadata_props (ONNX IR:
/// "named metadata values") under keys prefixed <see cref="KeyPrefix"/>, so generic tools
/// (Netron, onnx.load) show it and our loader can refuse foreign or too-new files before ORT runs them.
/// </summary>
public sealed partial record ModelMetadata(
    string StyleName,
    string StyleImageSha256,
    long TrainingSteps,
    string ConfigHash,
    TransformerArchitecture Architecture)
{
    public const string FormatName = "faststyle-transformer";
    /// <summary>Bumped when a reader of the previous version would misread a file; readers refuse newer versions.
    /// Version 2: multi-style models, which need the extra <c>style_weights</c> input a version-1 reader would
    /// not feed. Single-style models are still written as version 1, byte for byte as before.</summary>
    public const int CurrentFormatVersion = 2;
    const int SingleStyleFormatVersion = 1;
    public const string KeyPrefix = "faststyle.";
    public const string PixelConventionText = "float32 NCHW RGB in [0,1]";

    public string Format { get; init; } = FormatName;
    public int FormatVersion { get; init; } = Architecture.IsMultiStyle ? CurrentFormatVersion : SingleStyleFormatVersion;

    /// <summary>
    /// The styles in the order of the network's style-weight columns. One style: <see cref="StyleName"/>
    /// and <see cref="StyleImageSha256"/>. Several: their own metadata keys, and StyleName is the network's name.
    /// </summary>
    public IReadOnlyList<StyleEntry> Styles { get => styles; init => styles = new StyleEntries(value); }
    readonly StyleEntries styles = new([new(StyleName, StyleImageSha256)]);
    /// <summary>Input and output tensor convention, for humans reading the file with other tools.</summary>
    public string PixelConvention { get; init; } = PixelConventionText;
    /// <summary>
    /// SHA-256 of the graph's initializers (<see cref="WeightsChecksum"/>), verified on load: a flipped
    /// weight byte still parses and runs, silently producing a different picture. Null in models
    /// exported before it existed, which load without the check (the key is optional, so the format
    /// version stays 1 and older readers, which ignore unknown keys, still read new files).
    /// </summary>
    public string? WeightsSha256 { get; init; }

    internal static class Keys
    {
        public const string Format = KeyPrefix + "format";
        public const string FormatVersion = KeyPrefix + "format_version";
        public const string StyleName = KeyPrefix + "style_name";
        public const string StyleImageSha256 = KeyPrefix + "style_image_sha256";
        public const string TrainingSteps = KeyPrefix + "training_steps";
        public const string ConfigHash = KeyPrefix + "config_hash";
        public const string BaseChannels = KeyPrefix + "arch.base_channels";
        public const string ResidualBlocks = KeyPrefix + "arch.residual_blocks";
        public const string Upsample = KeyPrefix + "arch.upsample";
        public const string PixelConvention = KeyPrefix + "pixel_convention";
        public const string WeightsSha256 = KeyPrefix + "weights_sha256";
        public const string Styles = KeyPrefix + "arch.styles";
        public const string StyleNames = KeyPrefix + "style_names";
        public const string StyleImageSha256s = KeyPrefix + "style_image_sha256s";
    }

    /// <summary>Key/value pairs in a fixed order (stable files for identical inputs); numbers are invariant-culture.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ToProperties()
    {
        var inv = CultureInfo.InvariantCulture;
        List<KeyValuePair<string, string>> properties =
        [
            new(Keys.Format, Format),
            new(Keys.FormatVersion, FormatVersion.ToString(inv)),
            new(Keys.StyleName, StyleName),
            new(Keys.StyleImageSha256, StyleImageSha256),
            new(Keys.TrainingSteps, TrainingSteps.ToString(inv)),
            new(Keys.ConfigHash, ConfigHash),
            new(Keys.BaseChannels, Architecture.BaseChannels.ToString(inv)),
            new(Keys.ResidualBlocks, Architecture.ResidualBlocks.ToString(inv)),
            new(Keys.Upsample, EnumText<UpsampleMode>.Of(Architecture.Upsample)),
            new(Keys.PixelConvention, PixelConvention),
        ];
        if (Architecture.IsMultiStyle)
        {
            if (Styles.Count != Architecture.Styles)
                throw new InvalidOperationException($"metadata lists {Styles.Count} styles for a {Architecture.Styles}-style network");
            properties.Add(new(Keys.Styles, Architecture.Styles.ToString(inv)));
            properties.Add(new(Keys.StyleNames, StyleList.NamesJson(Styles)));
            properties.Add(new(Keys.StyleImageSha256s, StyleList.HashesJson(Styles)));
        }
        if (WeightsSha256 != null) properties.Add(new(Keys.WeightsSha256, WeightsSha256));
        return properties;
    }

    /// <summary>
    /// Parses properties written by <see cref="ToProperties"/>. Returns null with a reason when
    /// they are absent, of another format, too new or malformed; keys without our prefix are ignored.
    /// </summary>
    internal static ModelMetadata? FromProperties(IReadOnlyDictionary<string, string> props, out string reason)
    {
        var inv = CultureInfo.InvariantCulture;
        if (!props.TryGetValue(Keys.Format, out var format))
        {
            reason = $"no '{Keys.Format}' metadata";
            return null;
        }
        if (format != FormatName)
        {
            reason = $"'{Keys.Format}' is '{format}', expected '{FormatName}'";
            return null;
        }
        if (!props.TryGetValue(Keys.FormatVersion, out var vText) || !int.TryParse(vText, NumberStyles.Integer, inv, out int version) || version < 1)
        {
            reason = $"missing or invalid '{Keys.FormatVersion}'";
            return null;
        }
        if (version > CurrentFormatVersion)
        {
            reason = $"format version {version} is newer than this program reads ({CurrentFormatVersion}); update FastStyle";
            return null;
        }

        string? Text(string key) => props.TryGetValue(key, out var v) ? v : null;
        long? Number(string key) => long.TryParse(Text(key), NumberStyles.Integer, inv, out long v) ? v : null;

        long? steps = Number(Keys.TrainingSteps), channels = Number(Keys.BaseChannels), blocks = Number(Keys.ResidualBlocks);
        UpsampleMode? upsample = EnumText<UpsampleMode>.Parse(Text(Keys.Upsample));
        string? bad =
            Text(Keys.StyleName) is null ? Keys.StyleName :
            Text(Keys.StyleImageSha256) is null ? Keys.StyleImageSha256 :
            steps is null or < 0 ? Keys.TrainingSteps :
            Text(Keys.ConfigHash) is null ? Keys.ConfigHash :
            channels is null or < 1 or > TransformerArchitecture.MaxBaseChannels ? Keys.BaseChannels :
            blocks is null or < 0 or > TransformerArchitecture.MaxResidualBlocks ? Keys.ResidualBlocks :
            upsample is null ? Keys.Upsample : null;
        if (bad != null)
        {
            reason = $"missing or invalid '{bad}' metadata";
            return null;
        }

        long styleCount = Text(Keys.Styles) is null ? 1 : Number(Keys.Styles) ?? -1;
        if (styleCount is < 1 or > TransformerArchitecture.MaxStyles || (styleCount > 1) != (version >= 2))
        {
            reason = $"missing or invalid '{Keys.Styles}' metadata";
            return null;
        }
        var architecture = new TransformerArchitecture((int)channels!.Value, (int)blocks!.Value, upsample!.Value, (int)styleCount);
        IReadOnlyList<StyleEntry> styles = [new(Text(Keys.StyleName)!, Text(Keys.StyleImageSha256)!)];
        if (architecture.IsMultiStyle)
        {
            var list = StyleList.Parse(Text(Keys.StyleNames), Text(Keys.StyleImageSha256s), architecture.Styles, out string problem);
            if (list is null)
            {
                reason = $"invalid '{Keys.StyleNames}'/'{Keys.StyleImageSha256s}' metadata: {problem}";
                return null;
            }
            styles = list;
        }

        reason = "";
        return new ModelMetadata(Text(Keys.StyleName)!, Text(Keys.StyleImageSha256)!, steps!.Value, Text(Keys.ConfigHash)!, architecture)
        {
            Styles = styles,
            Format = format,
            FormatVersion = version,
            PixelConvention = Text(Keys.PixelConvention) ?? PixelConventionText,
            WeightsSha256 = Text(Keys.WeightsSha256),
        };
    }
}
