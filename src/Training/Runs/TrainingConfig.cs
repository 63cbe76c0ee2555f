using FastStyle.Data;
using FastStyle.Inference;
using FastStyle.Training.Config;
using FastStyle.Training.Losses;
using FastStyle.Training.Reporting;

namespace FastStyle.Training.Runs;

/// <summary>
/// A training run as data: one YAML file per style (configs/README.md documents every key).
/// Paths in the file are relative to the file. Every key has a default; unknown keys are errors.
/// </summary>
public sealed record TrainingConfig
{
    public const string DatasetEnvironmentVariable = "FASTSTYLE_DATASET";
    /// <summary>Largest batch tensor (values): tensors and .NET arrays index with 32-bit ints (2^31 - 1).</summary>
    public const long MaxBatchValues = int.MaxValue;

    /// <summary>Single-style form: the painting (empty with `styles:`; use <see cref="Styles"/>).</summary>
    public required string StyleImage { get; init; }
    /// <summary>The network's name (run folder, metadata); with `styles:` the style names joined by '+'.</summary>
    public required string StyleName { get; init; }
    /// <summary>The `styles:` list, or null for the single-style form (style_image / style_name).</summary>
    public IReadOnlyList<StyleSpec>? StyleList { get; init; }
    /// <summary>Every style the run trains, in order; the single-style form is a one-entry list.</summary>
    public IReadOnlyList<StyleSpec> Styles => StyleList ?? [new(StyleName, StyleImage, StyleSize, 1.0)];
    /// <summary>`train: norm_only`: only the config's styles' norm rows are trained, added to the init_from network.</summary>
    public TrainMode Train { get; init; } = TrainMode.All;
    /// <summary>
    /// `style_sampling`: a multi-style run's style per image (the default) or per batch. Per image trained
    /// clearly better in the one measurement made (docs/experiments.md, "One style per batch or per image").
    /// </summary>
    public StyleSampling StyleSampling { get; init; } = StyleSampling.Image;
    public string? Dataset { get; init; }
    public int ImageSize { get; init; } = 256;
    public int? StyleSize { get; init; } = 512;
    public int BatchSize { get; init; } = 4;
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>
    /// The learning_rate default of `train: norm_only`: 3,200 scale/shift numbers need far larger steps than a whole
    /// network; adding a style at 2e-3 reached 61% of training all weights, at 3e-2 77-83% (docs/experiments.md).
    /// </summary>
    public const double NormOnlyLearningRate = 0.03;
    /// <summary>
    /// The lr_schedule default of `train: norm_only`: a cosine ending at 30% of the peak (other runs default to a
    /// constant rate). Added styles' rows were still gaining at about a third of the 0.03 peak when a decay to 3%
    /// had stopped them (34.3 against 33.4 equivalent iterations after 500 steps, docs/experiments.md).
    /// </summary>
    public static LearningRateSchedule NormOnlySchedule { get; } = new() { Kind = ScheduleKind.Cosine, WarmupSteps = 20, FinalFraction = 0.3 };
    public LearningRateSchedule LrSchedule { get; init; } = LearningRateSchedule.Defaults;
    /// <summary>
    /// `norm_lr_scale`: the instance-norm scale/shift tables train at this multiple of the learning rate. In a
    /// multi-style run each style's rows get a gradient only from the images drawn for that style, while the
    /// shared convolutions get one from every image, so the rows may need a larger rate to keep up.
    /// </summary>
    public double NormLearningRateScale { get; init; } = 1.0;
    /// <summary>Skip outlier batches and roll back to the last checkpoint when the loss runs away (<see cref="LossSpikeGuard"/>).</summary>
    public bool SpikeGuard { get; init; } = true;
    public int Steps { get; init; } = 40000;
    public int Seed { get; init; } = 42;
    /// <summary>Requested compute type; <see cref="PrecisionPolicy"/> decides what auto means on this machine.</summary>
    public PrecisionSetting Precision { get; init; } = PrecisionSetting.Auto;
    public TransformerArchitecture Architecture { get; init; } = new();
    public double WidthMultiplier { get; init; } = 1.0;
    public int CheckpointEvery { get; init; } = 500;
    public int SampleEvery { get; init; } = 500;
    public int LogEvery { get; init; } = 10;
    public IReadOnlyList<string> SampleImages { get; init; } = [];
    public int SampleSize { get; init; } = 384;
    public int Threads { get; init; }
    /// <summary>
    /// Warm start: the network weights of this checkpoint (or the newest of this run folder), for a new
    /// run. A new style starts from a network that already keeps structure and colours, instead of from
    /// random weights; Adam state and step start fresh.
    /// </summary>
    public string? InitFrom { get; init; }
    public LossConfig Loss { get; init; } = LossConfig.TrainingDefaults;

    /// <summary>The folder of the config file: relative paths in it are relative to this.</summary>
    public string BaseDirectory { get; init; } = "";

    /// <summary>Every resolved value with absolute paths (<see cref="Describe"/>): stored in checkpoints and config.resolved.txt for humans.</summary>
    public string ResolvedText { get; init; } = "";

    /// <summary>
    /// Hash of the resolved values with paths relative to the config's folder: moving or re-cloning
    /// a checkout must not make a resume warn about a changed config, and the hash is shared across
    /// machines. (The style image's identity is its own sha256 in the checkpoint.)
    /// </summary>
    public string Hash => FileHash.Sha256OfText(Describe(p => Path.GetRelativePath(BaseDirectory, p)));

    /// <summary>
    /// A config with every key at its default: the property initialisers above are the one definition
    /// of each default, and <see cref="Read"/> takes the value of a missing key from here.
    /// </summary>
    public static TrainingConfig Defaults { get; } = new() { StyleImage = "", StyleName = "" };

    public static TrainingConfig Load(string path, IEnumerable<string>? overrides = null)
    {
        var root = YamlSection.Load(path, overrides);
        return Read(root, Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    internal static TrainingConfig Read(YamlSection root, string baseDirectory)
    {
        var d = Defaults;
        var styleSections = root.SectionList("styles");
        if (styleSections != null && (root.Has("style_image") || root.Has("style_name")))
            throw new FastStyleError($"config '{root.FilePath}': give either 'style_image' (and 'style_name') or 'styles', not both");
        string? style = styleSections != null ? null : root.String("style_image", null)
            ?? throw new FastStyleError($"config '{root.FilePath}': 'style_image' (one style) or 'styles' (several) is required (paths are relative to the config)");
        string stylePath = style is null ? "" : Path.GetFullPath(Path.Combine(baseDirectory, style));
        string? dataset = root.String("dataset", null);
        string? initFrom = root.String("init_from", null);
        int? styleSize = root.OptionalInt("style_size", min: 16, max: 8192) ?? (root.Has("style_size") ? null : d.StyleSize);
        var styleList = styleSections is null ? null : ReadStyles(styleSections, baseDirectory, styleSize, root.FilePath);
        var train = root.Choice("train", d.Train);
        if (train == TrainMode.NormOnly && initFrom is null)
            throw new FastStyleError($"config '{root.FilePath}': 'train: norm_only' adds styles to a trained network and needs 'init_from' (its run folder or checkpoint)");
        var network = root.Section("network");
        double width = network?.Double("width", d.WidthMultiplier, min: 0.125, max: (double)TransformerArchitecture.MaxBaseChannels / TransformerArchitecture.DefaultBaseChannels) ?? d.WidthMultiplier;
        int blocks = network?.Int("residual_blocks", d.Architecture.ResidualBlocks, min: 0, max: TransformerArchitecture.MaxResidualBlocks) ?? d.Architecture.ResidualBlocks;
        var upsample = network?.Choice("upsample", d.Architecture.Upsample) ?? d.Architecture.Upsample;
        network?.RejectUnknownKeys();
        var lossSection = root.Section("loss");
        var scheduleSection = root.Section("lr_schedule");
        var scheduleDefaults = train == TrainMode.NormOnly ? NormOnlySchedule : d.LrSchedule;
        var config = new TrainingConfig
        {
            StyleImage = stylePath,
            StyleName = styleList != null ? string.Join("+", styleList.Select(x => x.Name)) : root.String("style_name", null) ?? Path.GetFileNameWithoutExtension(stylePath),
            StyleList = styleList,
            Train = train,
            StyleSampling = root.Choice("style_sampling", d.StyleSampling),
            Dataset = dataset is null ? null : Path.GetFullPath(Path.Combine(baseDirectory, dataset)),
            ImageSize = root.Int("image_size", d.ImageSize, min: 16, max: 4096),
            StyleSize = styleSize,
            BatchSize = root.Int("batch_size", d.BatchSize, min: 1, max: 1024),
            LearningRate = root.Double("learning_rate", train == TrainMode.NormOnly ? NormOnlyLearningRate : d.LearningRate, min: 0, max: 1),
            LrSchedule = scheduleSection is null ? scheduleDefaults : LearningRateSchedule.Read(scheduleSection, scheduleDefaults),
            NormLearningRateScale = root.Double("norm_lr_scale", d.NormLearningRateScale, min: 0, max: 1000),
            SpikeGuard = root.Bool("spike_guard", d.SpikeGuard),
            Steps = root.Int("steps", d.Steps, min: 1),
            Seed = root.Int("seed", d.Seed),
            Precision = root.Choice("precision", d.Precision),
            WidthMultiplier = width,
            Architecture = TransformerArchitecture.FromWidth(width, blocks, upsample, styleList?.Count ?? 1),
            CheckpointEvery = root.Int("checkpoint_every", d.CheckpointEvery, min: 1),
            SampleEvery = root.Int("sample_every", d.SampleEvery, min: 0),
            LogEvery = root.Int("log_every", d.LogEvery, min: 1),
            SampleImages = root.StringList("sample_images", []).Select(p => Path.GetFullPath(Path.Combine(baseDirectory, p))).ToList(),
            SampleSize = root.Int("sample_size", d.SampleSize, min: 16, max: 4096),
            Threads = root.Int("threads", d.Threads, min: 0, max: 1024),
            InitFrom = initFrom is null ? null : Path.GetFullPath(Path.Combine(baseDirectory, initFrom)),
            Loss = lossSection is null ? d.Loss : LossConfig.Read(lossSection, d.Loss),
        };
        root.RejectUnknownKeys();
        // Each key is within its range, but the product is what gets allocated: one batch tensor.
        long batchValues = (long)config.BatchSize * 3 * config.ImageSize * config.ImageSize;
        if (batchValues > MaxBatchValues)
            throw new FastStyleError($"config '{root.FilePath}': batch_size {config.BatchSize} x image_size {config.ImageSize}^2 x 3 channels is {batchValues:N0} values per batch, over the limit of {MaxBatchValues:N0}; lower batch_size or image_size");
        return config with { BaseDirectory = baseDirectory, ResolvedText = config.Describe() };
    }

    static List<StyleSpec> ReadStyles(IReadOnlyList<YamlSection> sections, string baseDirectory, int? styleSize, string file)
    {
        var styles = new List<StyleSpec>();
        foreach (var (section, i) in sections.Select((s, i) => (s, i)))
        {
            string name = section.String("name", null) ?? throw new FastStyleError($"config '{file}': 'styles[{i}].name' is required");
            if (!StyleSpec.NamePattern.IsMatch(name))
                throw new FastStyleError($"config '{file}': 'styles[{i}].name' '{name}' may hold only letters, digits, '_', '-' and '.' (it is how --style picks the style)");
            if (styles.Any(x => x.Name == name)) throw new FastStyleError($"config '{file}': style name '{name}' appears twice in 'styles'");
            string image = section.String("image", null) ?? throw new FastStyleError($"config '{file}': 'styles[{i}].image' is required (path to the painting, relative to the config)");
            int? size = section.OptionalInt("style_size", min: 16, max: 8192) ?? (section.Has("style_size") ? null : styleSize);
            double weight = section.Double("weight", 1.0, min: 0, max: 1e6);
            double share = section.Double("share", StyleSpec.DefaultShare, min: 0, max: 1e6);
            section.RejectUnknownKeys();
            styles.Add(new StyleSpec(name, Path.GetFullPath(Path.Combine(baseDirectory, image)), size, weight, share));
        }
        if (styles.Count > 0 && styles.All(s => s.Share == 0))
            throw new FastStyleError($"config '{file}': every style has 'share: 0', so no image would train any style; give at least one a share above 0");
        if (styles.Count > TransformerArchitecture.MaxStyles)
            throw new FastStyleError($"config '{file}': {styles.Count} styles, more than the {TransformerArchitecture.MaxStyles} a network holds");
        return styles;
    }

    /// <summary>The dataset folder: the config's `dataset`, else $FASTSTYLE_DATASET.</summary>
    public string ResolveDataset()
    {
        string? folder = Dataset ?? Environment.GetEnvironmentVariable(DatasetEnvironmentVariable);
        if (string.IsNullOrWhiteSpace(folder))
            throw new FastStyleError($"no training images: set `dataset:` in the config or ${DatasetEnvironmentVariable} to a folder of photos (e.g. COCO train2014)");
        if (!Directory.Exists(folder)) throw new FastStyleError($"dataset '{folder}': folder not found");
        return folder;
    }

    /// <summary>Every resolved value, one per line: what the checkpoint stores and (with relative paths) the hash covers.</summary>
    public string Describe(Func<string, string>? showPath = null)
    {
        showPath ??= p => p;
        // The single-style form prints exactly as before the `styles:` list existed: the text is hashed.
        var lines = StyleList is null
            ? [$"style_image: {showPath(StyleImage)}", $"style_name: {StyleName}"]
            : StyleList.Select((x, i) => string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"styles[{i}]: name {x.Name}, image {showPath(x.Image)}, style_size {x.StyleSize?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "original"}, weight {x.Weight:R}{(x.Share == StyleSpec.DefaultShare ? "" : $", share {x.Share:R}")}")).ToList();
        lines.AddRange(new List<string>
        {
            $"dataset: {(Dataset is null ? "(from $" + DatasetEnvironmentVariable + ")" : showPath(Dataset))}",
            $"image_size: {ImageSize}",
            $"style_size: {(StyleSize?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "original")}",
            $"batch_size: {BatchSize}",
            $"learning_rate: {LearningRate:R}",
            LrSchedule.Describe(),
            $"spike_guard: {(SpikeGuard ? "true" : "false")}",
            $"steps: {Steps}",
            $"seed: {Seed}",
            $"precision: {EnumText<PrecisionSetting>.Of(Precision)}",
            $"network: width {WidthMultiplier:R}, {Architecture}",
            $"checkpoint_every: {CheckpointEvery}",
            $"sample_every: {SampleEvery}",
            $"sample_size: {SampleSize}",
            $"sample_images: [{string.Join(", ", SampleImages.Select(showPath))}]",
        });
        if (Train != TrainMode.All) lines.Add($"train: {EnumText<TrainMode>.Of(Train)}");
        // Only when not the default, so configs written before the key existed keep their hash.
        if (StyleSampling != Defaults.StyleSampling) lines.Add($"style_sampling: {EnumText<StyleSampling>.Of(StyleSampling)}");
        if (NormLearningRateScale != Defaults.NormLearningRateScale) lines.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"norm_lr_scale: {NormLearningRateScale:R}"));
        if (InitFrom != null) lines.Add($"init_from: {showPath(InitFrom)}");
        return string.Join("\n", lines) + "\n" + Loss.Describe();
    }
}
