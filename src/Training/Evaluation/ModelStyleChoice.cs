using FastStyle.Inference;

namespace FastStyle.Training.Evaluation;

/// <summary>
/// Which of a model's styles `compare` runs the network with. A multi-style model holds several
/// styles, while the comparison has one style image; unless named, the style is the one the model
/// was trained on that image (matched by its sha256), so the network and Gatys aim at the same painting.
/// </summary>
/// <param name="Name">The style (or mix, as given) the network ran with.</param>
/// <param name="Weights">The network's style-weight row; null for a single-style model.</param>
/// <param name="TrainedOnStyleImage">Whether that style was trained on the comparison's style image (false for a mix).</param>
public sealed record ModelStyleChoice(string Name, IReadOnlyList<float>? Weights, bool TrainedOnStyleImage)
{
    public const string OptionName = "--model-style";

    public static ModelStyleChoice Resolve(string? requested, ModelMetadata model, string modelPath, string styleImageSha256)
    {
        bool Matches(StyleEntry s) => string.Equals(s.ImageSha256, styleImageSha256, StringComparison.OrdinalIgnoreCase);
        if (requested != null)
        {
            var weights = StyleMix.Parse(requested, model, modelPath, OptionName);
            int only = Array.FindIndex(weights, w => w == 1);
            bool trained = only >= 0 && Matches(model.Styles[only]);
            return new(only >= 0 ? model.Styles[only].Name : requested, model.Architecture.IsMultiStyle ? weights : null, trained);
        }
        int index = model.Styles.ToList().FindIndex(Matches);
        int chosen = Math.Max(index, 0);
        var row = model.Architecture.IsMultiStyle ? StyleMix.Only(chosen, model.Styles.Count) : null;
        return new(model.Styles[chosen].Name, row, index >= 0);
    }
}
