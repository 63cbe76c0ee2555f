using FastStyle.Inference;
using FastStyle.Training.Config;
using FastStyle.Training.LossNetwork;

namespace FastStyle.Training.Losses;

/// <summary>
/// Which loss-network layers count and with what weight: data, never code, so one definition
/// serves optimize, train, evaluate and compare. Totals:
///   content = content_weight * sum_l w_l * MSE(F_l(x), F_l(c))
///   style   = style_weight   * sum_l w_l * MSE(G_l(x), G_l(s)),  G = F F^T / (C*H*W)
///   tv      = tv_weight * (mean squared vertical + horizontal neighbour differences)
/// Weights are tuned for the VGG file on Caffe's activation scale (see README "VGG weights").
/// </summary>
public sealed record LossConfig
{
    public string Network { get; init; } = "vgg19";
    public VggPooling Pooling { get; init; } = VggPooling.Max;
    public IReadOnlyDictionary<string, double> ContentLayers { get; init; } = new Dictionary<string, double>();
    public IReadOnlyDictionary<string, double> StyleLayers { get; init; } = new Dictionary<string, double>();
    public double ContentWeight { get; init; } = 1;
    public double StyleWeight { get; init; } = 1;
    public double TvWeight { get; init; }
    /// <summary>
    /// `auto` by default: a Caffe-scale file (the one the configs are tuned with) is left exactly as it
    /// is, and any other file (torchvision's) is brought to that scale, so one config means the same with either.
    /// </summary>
    public VggScale VggScale { get; init; } = VggScale.Auto;

    public VggArchitecture Architecture => VggArchitecture.Parse(Network);

    public IReadOnlyCollection<string> Taps => ContentLayers.Keys.Union(StyleLayers.Keys).ToList();

    /// <summary>Gatys, Ecker, Bethge (2016): VGG-19, content relu4_2, style relu1_1..relu5_1 equally weighted.</summary>
    public static LossConfig GatysDefaults { get; } = new()
    {
        Network = "vgg19",
        ContentLayers = new Dictionary<string, double> { ["relu4_2"] = 1 },
        StyleLayers = new Dictionary<string, double> { ["relu1_1"] = 0.2, ["relu2_1"] = 0.2, ["relu3_1"] = 0.2, ["relu4_1"] = 0.2, ["relu5_1"] = 0.2 },
        ContentWeight = 1e-3,
        StyleWeight = 1,
        TvWeight = 0,
    };

    /// <summary>
    /// Feed-forward training: Johnson et al. (2016) use a shallow content layer (relu2_2) so the
    /// network keeps structure; style up to relu4_1 stops VGG a block earlier than Gatys (a third
    /// fewer FLOPs per step, which matters on CPU).
    /// </summary>
    public static LossConfig TrainingDefaults { get; } = new()
    {
        Network = "vgg19",
        ContentLayers = new Dictionary<string, double> { ["relu2_2"] = 1 },
        StyleLayers = new Dictionary<string, double> { ["relu1_1"] = 0.25, ["relu2_1"] = 0.25, ["relu3_1"] = 0.25, ["relu4_1"] = 0.25 },
        // Starting point: jcjohnson/fast-neural-style on the same Caffe activation scale (style 5
        // per layer, here 20 x 0.25; same Gram and MSE normalisations). Their content layer is
        // relu3_3, whose activations are larger than relu2_2's: at content weight 1 on relu2_2 the
        // style term was 4x the content term after 1000 steps and the network lost the scene's
        // structure, so content weighs 5 here (measured on starry_night, issue 6 model card).
        ContentWeight = 5,
        StyleWeight = 20,
        TvWeight = 0,
    };

    internal static LossConfig Read(YamlSection section, LossConfig defaults)
    {
        string network = section.Choice("network", defaults.Network, "vgg16", "vgg19");
        var architecture = VggArchitecture.Parse(network);
        var config = new LossConfig
        {
            Network = network,
            Pooling = section.Choice("pooling", defaults.Pooling),
            ContentLayers = section.NumberMap("content_layers", defaults.ContentLayers, architecture.UnknownTap),
            StyleLayers = section.NumberMap("style_layers", defaults.StyleLayers, architecture.UnknownTap),
            ContentWeight = section.Double("content_weight", defaults.ContentWeight, min: 0),
            StyleWeight = section.Double("style_weight", defaults.StyleWeight, min: 0),
            TvWeight = section.Double("tv_weight", defaults.TvWeight, min: 0),
            VggScale = section.Choice("vgg_scale", defaults.VggScale),
        };
        section.RejectUnknownKeys();
        config.Validate(section.FilePath);
        return config;
    }

    /// <summary>Smallest image side the loss network can measure (<see cref="VggArchitecture.MinimumInputSide"/>).</summary>
    public int MinimumImageSide => Architecture.MinimumInputSide(Taps);

    /// <summary>
    /// Returns <paramref name="image"/>, or a one-line error naming it when it is too small for the
    /// deepest layer's poolings (libtorch would fail deep inside max_pool2d with a frame dump).
    /// </summary>
    public Data.Imaging.RgbImage RequireFits(Data.Imaging.RgbImage image, string name)
    {
        int min = MinimumImageSide;
        if (image.Width < min || image.Height < min)
            throw new Data.FastStyleError($"image '{name}' is {image.Width}x{image.Height} after resizing; the loss layer {Taps.MaxBy(Architecture.TapPosition)} needs at least {min}x{min} pixels: use a larger size");
        return image;
    }

    public void Validate(string source)
    {
        var arch = Architecture;
        foreach (var layer in Taps)
            if (arch.UnknownTap(layer) is { } problem)
                throw new Data.FastStyleError($"config '{source}': loss {problem}");
        if (StyleLayers.Count == 0 && ContentLayers.Count == 0)
            throw new Data.FastStyleError($"config '{source}': no content_layers and no style_layers: nothing to optimise");
    }

    /// <summary>Stable text of every value, for hashing and reports.</summary>
    public string Describe()
    {
        static string Map(IReadOnlyDictionary<string, double> m) => "{" + string.Join(", ", m.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}: {kv.Value:R}")) + "}";
        return $"network: {Network}\npooling: {EnumText<VggPooling>.Of(Pooling)}\ncontent_layers: {Map(ContentLayers)}\n" +
               $"style_layers: {Map(StyleLayers)}\ncontent_weight: {ContentWeight:R}\nstyle_weight: {StyleWeight:R}\ntv_weight: {TvWeight:R}\n" +
               // Only when not the default, so configs written before the key existed keep their hash (resume
               // compares it): auto leaves the Caffe-scale files those runs used unchanged.
               (VggScale == VggScale.Auto ? "" : $"vgg_scale: {EnumText<VggScale>.Of(VggScale)}\n");
    }
}
