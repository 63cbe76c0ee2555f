using FastStyle.Data.Datasets;
using FastStyle.Data.Imaging;
using FastStyle.Training.Losses;
using FastStyle.Training.Networks;
using FastStyle.Training.Tensors;
using FastStyle.Training.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace FastStyle.Bench;

/// <summary>
/// What <see cref="Trainer"/> builds before its first step (loss network in the compute type, style
/// Grams, seeded transformer, Adam, the background-decoding dataset), so benchmarks time the
/// trainer's own <see cref="TrainingStep"/>. Create it inside a dispose scope.
/// </summary>
public sealed class TrainingSetup : IDisposable
{
    public required TransformerNet Net { get; init; }
    public required PerceptualLoss Loss { get; init; }
    public required ImageFolderDataset Data { get; init; }
    public required TrainingStep Step { get; init; }
    public required ScalarType Compute { get; init; }
    public required int StyleWidth { get; init; }
    public required int StyleHeight { get; init; }
    AdamOptimizer adam = null!;
    LossTargets targets = null!;

    public static TrainingSetup Create(string vggPath, string dataset, string styleImage, ImageLoadOptions styleSize,
        LossConfig lossConfig, int batch, int size, Precision precision)
    {
        var compute = PrecisionPolicy.ComputeType(precision);
        var loss = PerceptualLoss.Load(vggPath, lossConfig);
        loss.Network.UseComputeType(compute);
        var style = ImageFile.Load(styleImage, styleSize);
        var targets = loss.Targets(ImageTensors.ToTensor(style), null);
        torch.manual_seed(1);
        var net = new TransformerNet(new FastStyle.Inference.TransformerArchitecture());
        var adam = new AdamOptimizer(net.named_parameters(), 1e-3);
        var data = new ImageFolderDataset(dataset, size, 1, batch, new DataPosition(0, 0));
        return new TrainingSetup
        {
            Net = net, Loss = loss, Data = data, Compute = compute, StyleWidth = style.Width, StyleHeight = style.Height,
            Step = new TrainingStep(net, loss, [new TrainingStyle("bench", targets, 1, 0)], adam, compute), adam = adam, targets = targets,
        };
    }

    public void Dispose()
    {
        Data.Dispose();
        adam.Dispose();
        targets.Dispose();
    }
}
