using System.Diagnostics;
using FastStyle.Data;
using FastStyle.Data.Datasets;
using FastStyle.Data.Imaging;
using FastStyle.Training.Losses;
using FastStyle.Training.Networks;
using FastStyle.Training.Reporting;
using FastStyle.Training.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace FastStyle.Training.Training;

public sealed record TrainRequest
{
    public required TrainingConfig Config { get; init; }
    public required string VggPath { get; init; }
    public required string OutputDirectory { get; init; }
    /// <summary>Stop at this step (overrides the config's `steps`); resuming continues up to it.</summary>
    public long? MaxSteps { get; init; }
    public string? ResumeFrom { get; init; }
    /// <summary>Keep this many step checkpoints besides the final one.</summary>
    public int KeepCheckpoints { get; init; } = 3;
}

public enum TrainOutcome { Completed, Interrupted, Diverged }

public sealed record TrainResult(TrainOutcome Outcome, long Step, string? Checkpoint, LossValues? LastLoss, double Seconds, int SkippedImages, string Message);

/// <summary>
/// Trains a <see cref="TransformerNet"/> for one style (Johnson et al. 2016): Adam on batches of
/// random crops, loss from the frozen VGG through <see cref="PerceptualLoss"/> (the same code that
/// `optimize` uses). One dispose scope per step keeps native memory flat.
/// </summary>
public static class Trainer
{
    public static TrainResult Run(TrainRequest request, ITrainingObserver? observer = null, CancellationToken cancel = default)
    {
        observer ??= new NullObserver();
        var config = request.Config;
        if (config.Threads > 0) torch.set_num_threads(config.Threads);
        string datasetFolder = config.ResolveDataset();
        if (!File.Exists(config.StyleImage)) throw new FastStyleError($"style image '{config.StyleImage}': file not found (style_image is relative to the config file)");
        Directory.CreateDirectory(request.OutputDirectory);
        var layout = new RunLayout(request.OutputDirectory);
        var compute = config.Precision == Precision.BFloat16 ? ScalarType.BFloat16 : ScalarType.Float32;

        using var outer = torch.NewDisposeScope();
        var loss = PerceptualLoss.Load(request.VggPath, config.Loss);
        loss.Network.UseComputeType(compute);
        var styleImage = ImageFile.Load(config.StyleImage, new ImageLoadOptions { LongestSide = config.StyleSize });
        using var targets = loss.Targets(ImageTensors.ToTensor(styleImage), null);
        string styleHash = FileHash.Sha256OfFile(config.StyleImage);

        torch.manual_seed(config.Seed);
        var net = new TransformerNet(config.Architecture);
        using var adam = new AdamOptimizer(net.named_parameters(), config.LearningRate);
        long step = 0;
        var position = new DataPosition(0, 0);
        if (request.ResumeFrom != null)
        {
            var checkpoint = Checkpoint.Load(request.ResumeFrom);
            if (checkpoint.Architecture != config.Architecture)
                throw new FastStyleError($"checkpoint '{request.ResumeFrom}': network {checkpoint.Architecture} differs from the config's {config.Architecture}");
            if (checkpoint.ConfigHash != config.Hash)
                observer.OnWarning($"checkpoint '{request.ResumeFrom}' was trained with a different config (hash {checkpoint.ConfigHash[..12]} vs {config.Hash[..12]}); continuing with the new values");
            net.LoadWeights(checkpoint.NetworkWeights, request.ResumeFrom);
            adam.ImportState(checkpoint.OptimizerState, checkpoint.Step, request.ResumeFrom);
            step = checkpoint.Step;
            position = new DataPosition(checkpoint.Epoch, checkpoint.IndexInEpoch);
        }
        long lastStep = request.MaxSteps ?? config.Steps;

        using var dataset = new ImageFolderDataset(datasetFolder, config.ImageSize, config.Seed, config.BatchSize, position);
        dataset.Warning += observer.OnWarning;
        var samples = LoadSamples(config, dataset);
        using var log = new TrainingLog(layout, resumed: step > 0);
        AtomicFile.WriteAllText(layout.ResolvedConfig, config.ResolvedText);

        var trainingStep = new TrainingStep(net, loss, targets, adam, compute);
        observer.OnStart(step, lastStep);
        var clock = Stopwatch.StartNew();
        LossValues? last = null;
        string? lastCheckpoint = request.ResumeFrom;
        var outcome = TrainOutcome.Completed;
        string message = "";
        long stepsThisRun = 0;
        while (step < lastStep)
        {
            if (cancel.IsCancellationRequested) { outcome = TrainOutcome.Interrupted; break; }
            var batch = dataset.Next();
            var values = trainingStep.Run(batch);
            if (!double.IsFinite(values.Total))
            {
                outcome = TrainOutcome.Diverged;
                message = $"loss became {values.Total} at step {step + 1}; stopped. Last good checkpoint: {lastCheckpoint ?? "(none yet)"}. Try a lower learning_rate or style_weight.";
                break;
            }
            step++;
            stepsThisRun++;
            position = batch.NextPosition;
            last = values;
            double seconds = clock.Elapsed.TotalSeconds;
            var report = new StepReport(step, lastStep, seconds, stepsThisRun * config.BatchSize / Math.Max(seconds, 1e-9), values);
            observer.OnStep(report);
            if (step % config.LogEvery == 0 || step == lastStep) log.Append(report);
            bool final = step == lastStep;
            if (step % config.CheckpointEvery == 0 || final)
            {
                lastCheckpoint = SaveCheckpoint(layout, net, adam, config, styleHash, step, position, request.KeepCheckpoints);
                log.Flush();
                observer.OnCheckpoint(lastCheckpoint, step);
            }
            if (config.SampleEvery > 0 && (step % config.SampleEvery == 0 || final))
                observer.OnSamples(WriteSamples(layout, net, samples, step, compute), step);
        }
        if (outcome == TrainOutcome.Interrupted && stepsThisRun > 0)
        {
            // Ctrl+C: keep everything up to the last finished step.
            lastCheckpoint = SaveCheckpoint(layout, net, adam, config, styleHash, step, position, request.KeepCheckpoints);
            observer.OnCheckpoint(lastCheckpoint, step);
            message = $"interrupted at step {step}; resume with --resume {lastCheckpoint}";
        }
        log.Flush();
        if (outcome == TrainOutcome.Completed) message = $"trained to step {step}";
        return new TrainResult(outcome, step, lastCheckpoint, last, clock.Elapsed.TotalSeconds, dataset.SkippedCount, message);
    }

    static string SaveCheckpoint(RunLayout layout, TransformerNet net, AdamOptimizer adam, TrainingConfig config, string styleHash,
        long step, DataPosition position, int keep)
    {
        var checkpoint = new Checkpoint
        {
            Step = step,
            Epoch = position.Epoch,
            IndexInEpoch = position.Index,
            Seed = config.Seed,
            ConfigText = config.ResolvedText,
            ConfigHash = config.Hash,
            StyleName = config.StyleName,
            StyleImageSha256 = styleHash,
            Architecture = config.Architecture,
            NetworkWeights = net.ExportWeights(),
            OptimizerState = adam.ExportState().ToDictionary(t => t.Name),
        };
        string path = layout.CheckpointPath(step);
        checkpoint.Save(path);
        layout.PruneCheckpoints(keep);
        return path;
    }

    sealed record Sample(string Name, RgbImage Image);

    /// <summary>Fixed content images stylised at every sample step, so progress is comparable over time.</summary>
    static List<Sample> LoadSamples(TrainingConfig config, ImageFolderDataset dataset)
    {
        var paths = config.SampleImages.Count > 0 ? config.SampleImages : dataset.Files.Take(2).ToList();
        return paths.Select(p => new Sample(Path.GetFileNameWithoutExtension(p), ImageFile.Load(p, new ImageLoadOptions { LongestSide = config.SampleSize }))).ToList();
    }

    static List<string> WriteSamples(RunLayout layout, TransformerNet net, List<Sample> samples, long step, ScalarType compute)
    {
        var written = new List<string>();
        foreach (var sample in samples)
        {
            using var scope = torch.NewDisposeScope();
            var output = net.Stylize(ImageTensors.ToTensor(sample.Image).to(compute));
            string path = layout.SamplePath(step, sample.Name);
            ImageFile.Save(ImageTensors.ToImage(output), path);
            written.Add(path);
        }
        return written;
    }

    sealed class NullObserver : ITrainingObserver { }
}
