using FastStyle.Training.LossNetwork;
using TorchSharp;
using static TorchSharp.torch;

namespace FastStyle.Training.Losses;

/// <summary>Loss values of one evaluation: weighted totals plus each layer's raw (unweighted) term.</summary>
public sealed class LossTerms
{
    public required Tensor Total { get; init; }
    public required Tensor Content { get; init; }
    public required Tensor Style { get; init; }
    public required Tensor TotalVariation { get; init; }
    public required IReadOnlyDictionary<string, Tensor> ContentByLayer { get; init; }
    public required IReadOnlyDictionary<string, Tensor> StyleByLayer { get; init; }
    /// <summary>[N] each image's weighted style term, detached (their mean is <see cref="Style"/>).</summary>
    public required Tensor StyleByImage { get; init; }

    public LossValues ToValues()
    {
        // data<T>() reads host memory only (a CUDA build's terms live on the GPU); the copy is disposed here rather than
        // left to the finalizer thread (a test-host crash went away when such a temporary did).
        using var styleByImageOnHost = StyleByImage.cpu();
        return new(
            Total.item<float>(), Content.item<float>(), Style.item<float>(), TotalVariation.item<float>(),
            ContentByLayer.ToDictionary(kv => kv.Key, kv => (double)kv.Value.item<float>()),
            StyleByLayer.ToDictionary(kv => kv.Key, kv => (double)kv.Value.item<float>()),
            styleByImageOnHost.data<float>().Select(v => (double)v).ToArray());
    }
}

/// <summary>Plain numbers of a <see cref="LossTerms"/>, for progress, metrics and reports.</summary>
/// <param name="StyleByImage">each image's weighted style term (a multi-style batch's per-painting losses); null when not computed, as for losses read back from reports.</param>
public sealed record LossValues(double Total, double Content, double Style, double TotalVariation,
    IReadOnlyDictionary<string, double> ContentByLayer, IReadOnlyDictionary<string, double> StyleByLayer, IReadOnlyList<double>? StyleByImage = null);

/// <summary>Precomputed targets: Gram matrices of the style image, features of the content image.</summary>
public sealed class LossTargets : IDisposable
{
    public required IReadOnlyDictionary<string, Tensor> StyleGrams { get; init; }
    public IReadOnlyDictionary<string, Tensor>? ContentFeatures { get; init; }

    public void Dispose()
    {
        foreach (var t in StyleGrams.Values) t.Dispose();
        foreach (var t in ContentFeatures?.Values ?? []) t.Dispose();
    }
}

/// <summary>
/// The style/content/TV objective of Gatys et al. and Johnson et al. over one frozen loss network.
/// Every caller (optimize, train, evaluate) goes through here, so "the same loss" is guaranteed.
/// </summary>
public sealed class PerceptualLoss
{
    public VggLossNetwork Network { get; }
    public LossConfig Config { get; }

    public PerceptualLoss(VggLossNetwork network, LossConfig config)
    {
        foreach (var tap in config.Taps)
            if (!network.Taps.Contains(tap)) throw new ArgumentException($"loss network was built without layer {tap}");
        Network = network;
        Config = config;
    }

    /// <summary>Loads the VGG file and, with `vgg_scale: auto`, measures and sets its per-layer scales (<see cref="ActivationScale"/>).</summary>
    public static PerceptualLoss Load(string vggPath, LossConfig config)
    {
        var network = VggLossNetwork.Load(vggPath, config.Architecture, config.Taps, config.Pooling);
        if (config.VggScale == VggScale.Auto) network.UseFeatureScales(ActivationScale.Factors(ActivationScale.Measure(network)));
        return new(network, config);
    }

    /// <summary>Style Gram targets ([1,C,C], detached; from float32 taps, computed once) and, if given, content features (detached).</summary>
    public LossTargets Targets(Tensor style, Tensor? content)
    {
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var styleFeatures = Network.Features(style, Network.Taps, float32Taps: true);
        var grams = Config.StyleLayers.Keys.ToDictionary(l => l, l => LossFunctions.Gram(styleFeatures[l]).detach().MoveToOuterDisposeScope());
        Dictionary<string, Tensor>? contentFeatures = null;
        if (content is not null)
        {
            // In the compute type, as the image's features will be: an image equal to the content has content loss 0.
            var cf = Network.call(content);
            contentFeatures = Config.ContentLayers.Keys.ToDictionary(l => l, l => cf[l].detach().MoveToOuterDisposeScope());
        }
        return new LossTargets { StyleGrams = grams, ContentFeatures = contentFeatures };
    }

    /// <summary>Content features of a batch (detached): the training-time content target.</summary>
    public Dictionary<string, Tensor> ContentFeatures(Tensor content)
    {
        using var _ = torch.no_grad();
        var features = Network.Features(content, Config.ContentLayers.Keys.ToList());
        return Config.ContentLayers.Keys.ToDictionary(l => l, l => features[l].detach());
    }

    /// <summary>Loss of <paramref name="image"/> against the targets. Content features may be per batch.</summary>
    /// <param name="styleScale">factor on the config's style weight (a style's `weight:` in a multi-style run).</param>
    /// <param name="imageStyleScales">
    /// [N] factors, one per image, on top of <paramref name="styleScale"/>: a batch whose images train
    /// different styles (each with its own `weight:`; <paramref name="styleGrams"/> are then [N,C,C]).
    /// The per-layer terms stay unweighted means over the batch.
    /// </param>
    public LossTerms Compute(Tensor image, IReadOnlyDictionary<string, Tensor> styleGrams, IReadOnlyDictionary<string, Tensor>? contentFeatures, double styleScale = 1, Tensor? imageStyleScales = null)
    {
        var features = Network.call(image);
        var zero = torch.zeros(1, dtype: ScalarType.Float32, device: image.device).squeeze();
        var contentByLayer = new Dictionary<string, Tensor>();
        var content = zero;
        if (contentFeatures is not null)
            foreach (var (layer, weight) in Config.ContentLayers)
            {
                var term = LossFunctions.MeanSquaredError(features[layer], contentFeatures[layer]);
                contentByLayer[layer] = term;
                content = content + term * weight;
            }
        var styleByLayer = new Dictionary<string, Tensor>();
        var style = zero;
        var styleByImage = torch.zeros(image.shape[0], dtype: ScalarType.Float32, device: image.device);
        foreach (var (layer, weight) in Config.StyleLayers)
        {
            var perImage = LossFunctions.MeanSquaredErrorPerImage(LossFunctions.Gram(features[layer]), styleGrams[layer]);
            styleByLayer[layer] = perImage.mean();
            style = style + (imageStyleScales is null ? styleByLayer[layer] : (perImage * imageStyleScales).mean()) * weight;
            var scaled = perImage.detach();
            styleByImage = styleByImage + (imageStyleScales is null ? scaled : scaled * imageStyleScales) * weight;
        }
        content = content * Config.ContentWeight;
        style = style * (Config.StyleWeight * styleScale);
        styleByImage = styleByImage * (Config.StyleWeight * styleScale);
        var tv = Config.TvWeight > 0 ? LossFunctions.TotalVariation(image.to(ScalarType.Float32)) * Config.TvWeight : zero;
        return new LossTerms
        {
            Total = content + style + tv,
            Content = content,
            Style = style,
            TotalVariation = tv,
            ContentByLayer = contentByLayer,
            StyleByLayer = styleByLayer,
            StyleByImage = styleByImage,
        };
    }
}
