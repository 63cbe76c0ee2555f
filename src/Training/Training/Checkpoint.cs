using System.Globalization;
using FastStyle.Data;
using FastStyle.Data.Weights;
using FastStyle.Inference;

namespace FastStyle.Training.Training;

/// <summary>
/// A training checkpoint as one safetensors file: network weights ("net.*"), Adam moments
/// ("adam.m.*", "adam.v.*") and, in the metadata, the schema version, step, data position, seed,
/// the resolved config and its hash. Versioned so old files are recognised, not misread
/// (field notes: checkpoints that break across versions).
/// </summary>
public sealed record Checkpoint
{
    public const string SchemaVersion = "1";
    const string NetPrefix = "net.";

    public required long Step { get; init; }
    public required int Epoch { get; init; }
    public required int IndexInEpoch { get; init; }
    public required string ConfigText { get; init; }
    public required string ConfigHash { get; init; }
    public required TransformerArchitecture Architecture { get; init; }
    public required string StyleName { get; init; }
    public required string StyleImageSha256 { get; init; }
    public required int Seed { get; init; }
    public required IReadOnlyDictionary<string, TensorData> NetworkWeights { get; init; }
    public required IReadOnlyDictionary<string, TensorData> OptimizerState { get; init; }

    public void Save(string path)
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
            ["style_image_sha256"] = StyleImageSha256,
            ["base_channels"] = Architecture.BaseChannels.ToString(CultureInfo.InvariantCulture),
            ["residual_blocks"] = Architecture.ResidualBlocks.ToString(CultureInfo.InvariantCulture),
            ["upsample"] = EnumText<UpsampleMode>.Of(Architecture.Upsample),
        };
        var tensors = NetworkWeights.Values.Select(t => t with { Name = NetPrefix + t.Name }).Concat(OptimizerState.Values);
        SafetensorsFile.Write(path, tensors, metadata); // atomic: temp file + rename
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
        int Int(string key) => int.Parse(Get(key), CultureInfo.InvariantCulture);
        return new Checkpoint
        {
            Step = long.Parse(Get("step"), CultureInfo.InvariantCulture),
            Epoch = Int("epoch"),
            IndexInEpoch = Int("index_in_epoch"),
            Seed = Int("seed"),
            ConfigText = Get("config"),
            ConfigHash = Get("config_sha256"),
            StyleName = Get("style_name"),
            StyleImageSha256 = Get("style_image_sha256"),
            Architecture = new TransformerArchitecture(Int("base_channels"), Int("residual_blocks"),
                EnumText<UpsampleMode>.Parse(Get("upsample"))
                    ?? throw new FastStyleError($"checkpoint '{path}': metadata 'upsample' is '{Get("upsample")}', expected one of {string.Join(", ", EnumText<UpsampleMode>.All)}")),
            NetworkWeights = file.Tensors.Where(kv => kv.Key.StartsWith(NetPrefix, StringComparison.Ordinal))
                .ToDictionary(kv => kv.Key[NetPrefix.Length..], kv => kv.Value with { Name = kv.Key[NetPrefix.Length..] }),
            OptimizerState = file.Tensors.Where(kv => kv.Key.StartsWith("adam.", StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value),
        };
    }
}
