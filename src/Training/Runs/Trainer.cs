using System.Diagnostics;
using FastStyle.Data;
using FastStyle.Data.Datasets;
using FastStyle.Data.Imaging;
using FastStyle.Data.Weights;
using FastStyle.Inference;
using FastStyle.Training.LossNetwork;
using FastStyle.Training.Losses;
using FastStyle.Training.Networks;
using FastStyle.Training.Reporting;
using FastStyle.Training.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace FastStyle.Training.Runs;

public sealed record TrainRequest
{
    public required TrainingConfig Config { get; init; }
    public required string VggPath { get; init; }
    public required string OutputDirectory { get; init; }
    /// <summary>Stop at this step (overrides the config's `steps`); resuming continues up to it.</summary>
    public long? MaxSteps { get; init; }
    /// <summary>The step the run ends at: <see cref="MaxSteps"/>, else the config's `steps`.</summary>
    public long LastStep => MaxSteps ?? Config.Steps;
    public string? ResumeFrom { get; init; }
    /// <summary>Replace a previous run in <see cref="OutputDirectory"/> instead of refusing (--force-new).</summary>
    public bool ForceNew { get; init; }
    public const int DefaultKeepCheckpoints = 3;
    /// <summary>Keep this many step checkpoints, newest first; 0 keeps every one (a learning curve scores them all).</summary>
    public int KeepCheckpoints { get; init; } = DefaultKeepCheckpoints;
    /// <summary>
    /// Also keep one compact resumable checkpoint here (Adam moments in bf16), replaced at every
    /// checkpoint: the single file to commit when a run outlives a session (issue 11).
    /// </summary>
    public string? ResumableCopy { get; init; }
    /// <summary>Tests swap in a guard with other thresholds; a run uses the defaults.</summary>
    internal Func<LossSpikeGuard> NewSpikeGuard { get; init; } = () => new LossSpikeGuard();
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
    /// <summary>Rollbacks (each halving the rate) before a run that keeps diverging is stopped.</summary>
    public const int MaxRollbacks = 3;

    public static TrainResult Run(TrainRequest request, ITrainingObserver? observer = null, CancellationToken cancel = default)
    {
        observer ??= new NullObserver();
        var config = request.Config;
        if (config.Threads > 0) torch.set_num_threads(config.Threads);
        string datasetFolder = config.ResolveDataset();
        long lastStep = request.LastStep;
        var checkpoint = CheckRequest(request, lastStep);
        var layout = new RunLayout(request.OutputDirectory);
        layout.Prepare(request.ForceNew ? ExistingRun.Replace : request.ResumeFrom != null ? ExistingRun.Resume : ExistingRun.Refuse, request.ResumeFrom, checkpoint?.Step);
        var precision = PrecisionPolicy.Decide(config.Precision);
        observer.OnPrecision(precision);
        if (precision.Warning != null) observer.OnWarning(precision.Warning);
        var compute = precision.ComputeType;

        using var outer = torch.NewDisposeScope();
        var loss = PerceptualLoss.Load(request.VggPath, config.Loss);
        loss.Network.UseComputeType(compute);
        observer.OnLossConvolutions(loss.Network.ConvolutionSummary);
        if (config.Loss.VggScale == VggScale.Auto) observer.OnVggScale(ActivationScale.Describe(loss.Network.FeatureScales));
        // Style targets once per style, before training: Gram matrices of each painting.
        var styleHashes = config.Styles.Select(x => FileHash.Sha256OfFile(x.Image)).ToList();
        var plan = RunStyles.Plan(config, styleHashes);
        if (checkpoint != null && checkpoint.Architecture != plan.Architecture)
            throw new FastStyleError($"checkpoint '{request.ResumeFrom}': network {checkpoint.Architecture} differs from this run's {plan.Architecture}");
        var styles = new List<TrainingStyle>();
        foreach (var (spec, i) in config.Styles.Select((x, i) => (x, i)))
        {
            var image = config.Loss.RequireFits(ImageFile.Load(spec.Image, new ImageLoadOptions { LongestSide = spec.StyleSize }), spec.Image);
            styles.Add(new TrainingStyle(spec.Name, loss.Targets(ImageTensors.ToTensor(image), null), spec.Weight, plan.FirstTrainedRow + i));
        }
        using var targets = new DisposeAll(styles.Select(x => x.Targets));

        torch.manual_seed(config.Seed);
        var net = new TransformerNet(plan.Architecture);
        // norm_only: Adam sees only the norm tables, so every other weight stays bit-identical; within
        // the tables the frozen rows get exactly zero gradient (every image's one-hot row selects a new
        // style), so their Adam moments stay zero and their update is exactly zero too.
        var normTensors = TransformerWeightLayout.NormTensors(plan.Architecture).Select(t => t.Name).ToHashSet();
        using var adam = new AdamOptimizer(net.named_parameters().Where(p => !plan.NormOnly || normTensors.Contains(p.name)), config.LearningRate,
            rateScale: name => normTensors.Contains(name) ? config.NormLearningRateScale : 1.0);
        long step = 0;
        var position = new DataPosition(0, 0);
        if (checkpoint != null)
        {
            if (checkpoint.ConfigHash != config.Hash)
                observer.OnWarning($"checkpoint '{request.ResumeFrom}' was trained with a different config (hash {checkpoint.ConfigHash[..12]} vs {config.Hash[..12]}); continuing with the new values");
            string source = request.ResumeFrom!; // CheckRequest loads a checkpoint only from ResumeFrom
            net.LoadWeights(checkpoint.NetworkWeights, source);
            adam.ImportState(checkpoint.OptimizerState, checkpoint.Step, source);
            step = checkpoint.Step;
            position = new DataPosition(checkpoint.Epoch, checkpoint.IndexInEpoch);
        }
        else if (plan.NormOnly)
        {
            net.LoadWeights(plan.StartingWeights(), plan.SourcePath!);
            observer.OnWarmStart(plan.SourcePath!, plan.Source!.StyleName, plan.Source.Step);
            var names = plan.Entries.Select(e => e.Name).ToList();
            long trainedParameters = TransformerWeightLayout.NormTensors(plan.Architecture).Sum(t => (long)t.Channels) * (names.Count - plan.FirstTrainedRow);
            var trainedNames = names[plan.FirstTrainedRow..];
            observer.OnNormOnly(names[..plan.FirstTrainedRow], trainedNames, trainedParameters);
            var refined = trainedNames.Where(n => plan.Source!.Styles.Any(s => s.Name == n)).ToList();
            observer.OnStyleRows(refined, trainedNames.Except(refined).ToList());
        }
        else if (config.InitFrom != null) WarmStart(net, config, observer);

        using var dataset = new ImageFolderDataset(datasetFolder, config.ImageSize, config.Seed, config.BatchSize, position);
        dataset.Warning += observer.OnWarning;
        var samples = LoadSamples(config, dataset, observer);
        using var log = new TrainingLog(layout, resumedAtStep: checkpoint?.Step, precision.Name, styles.Select(s => s.Name).ToList());
        AtomicFile.WriteAllText(layout.ResolvedConfig, config.ResolvedText);

        var trainingStep = new TrainingStep(net, loss, styles, adam, compute);
        observer.OnStart(step, lastStep);
        var clock = Stopwatch.StartNew();
        LossValues? last = null;
        string? lastCheckpoint = request.ResumeFrom;
        var outcome = TrainOutcome.Completed;
        string message = "";
        long stepsThisRun = 0;
        var guard = config.SpikeGuard ? request.NewSpikeGuard() : null;
        double backoff = checkpoint?.LearningRateBackoff ?? 1.0;
        int rollbacks = 0;
        var drawShares = config.Styles.Select(x => x.Share).ToArray();
        if (styles.Count > 1)
            observer.OnStyleDraws(config.StyleSampling, styles.Zip(StyleSchedule.Fractions(drawShares), (s, f) => (s.Name, f)).ToList());
        while (step < lastStep)
        {
            if (cancel.IsCancellationRequested) { outcome = TrainOutcome.Interrupted; break; }
            var batch = dataset.Next();
            adam.LearningRate = backoff * config.LrSchedule.At(step + 1, config.LearningRate, config.Steps);
            var styleOfImage = StyleSchedule.ForBatch(config.Seed, step + 1, drawShares, batch.Count, config.StyleSampling);
            var (values, updated) = trainingStep.Run(batch, styleOfImage, guard == null ? null : v => guard.Accept(v.Total));
            log.Observe(styleOfImage, values);
            if (!double.IsFinite(values.Total))
            {
                outcome = TrainOutcome.Diverged;
                message = $"{NonFiniteLoss.Describe(values, $"step {step + 1}")}; stopped. Last good checkpoint: {lastCheckpoint ?? "(none yet)"}. Try a lower learning_rate or style_weight.";
                break;
            }
            if (!updated)
                observer.OnWarning($"step {step + 1}: loss {values.Total:G4} is over {guard!.SkipFactor}x the recent average ({guard.Average:G4}); batch skipped, weights unchanged");
            if (guard is { Diverged: true })
            {
                if (lastCheckpoint == null || rollbacks == MaxRollbacks)
                {
                    outcome = TrainOutcome.Diverged;
                    message = $"step {step + 1}: the loss average {guard.Average:G4} ran away from the last checkpoint's{(rollbacks > 0 ? $" after {rollbacks} rollbacks" : "")}; stopped. Last good checkpoint: {lastCheckpoint ?? "(none yet)"}. Try a lower learning_rate.";
                    break;
                }
                // Back to the last checkpoint's weights and moments, at half the rate; the data
                // stream goes on, so the batches that caused the divergence are not replayed.
                var good = Checkpoint.Load(lastCheckpoint);
                net.LoadWeights(good.NetworkWeights, lastCheckpoint);
                adam.ImportState(good.OptimizerState, adam.Step, lastCheckpoint);
                backoff /= 2;
                rollbacks++;
                guard.OnRollback();
                observer.OnWarning($"step {step + 1}: the loss average {guard.Average:G4} ran away; rolled back to {lastCheckpoint} (step {good.Step}) and halved the learning rate (now x{backoff:G3} of the schedule)");
            }
            step++;
            stepsThisRun++;
            position = batch.NextPosition;
            last = values;
            double seconds = clock.Elapsed.TotalSeconds;
            var report = new StepReport(step, lastStep, seconds, stepsThisRun * config.BatchSize / Math.Max(seconds, 1e-9), values, adam.LearningRate);
            observer.OnStep(report);
            if (step % config.LogEvery == 0 || step == lastStep) log.Append(report);
            bool final = step == lastStep;
            if (step % config.CheckpointEvery == 0 || final)
            {
                lastCheckpoint = SaveCheckpoint(layout, net, adam, config, plan, precision, step, position, backoff, request);
                guard?.OnCheckpoint();
                log.Flush();
                observer.OnCheckpoint(lastCheckpoint, step);
            }
            if (config.SampleEvery > 0 && (step % config.SampleEvery == 0 || final))
                observer.OnSamples(WriteSamples(layout, net, styles, samples, step, compute), step);
        }
        if (outcome == TrainOutcome.Interrupted && stepsThisRun > 0)
        {
            // SIGINT/SIGTERM: keep everything up to the last finished step.
            lastCheckpoint = SaveCheckpoint(layout, net, adam, config, plan, precision, step, position, backoff, request);
            observer.OnCheckpoint(lastCheckpoint, step);
            message = $"interrupted at step {step}; resume with --resume {lastCheckpoint}";
        }
        else if (outcome == TrainOutcome.Interrupted)
            message = $"interrupted before a step finished; nothing new to save{(lastCheckpoint != null ? $" (last checkpoint: {lastCheckpoint})" : "")}";
        log.Flush();
        if (outcome == TrainOutcome.Completed) message = $"trained to step {step}";
        return new TrainResult(outcome, step, lastCheckpoint, last, clock.Elapsed.TotalSeconds, dataset.SkippedCount, message);
    }

    /// <summary>`init_from:` the weights of another run's checkpoint; the optimiser and the step start fresh.</summary>
    static void WarmStart(TransformerNet net, TrainingConfig config, ITrainingObserver observer)
    {
        string path = RunLayout.ResolveCheckpoint(config.InitFrom!);
        var source = Checkpoint.Load(path);
        bool deepened = ResidualDeepening.Deepens(source.Architecture, config.Architecture);
        if (!deepened && !source.Architecture.SharesConvolutionsWith(config.Architecture))
            throw new FastStyleError($"init_from '{path}': network {source.Architecture} differs from the config's {config.Architecture} (init_from can add residual blocks, nothing else)");
        // Same number of styles: rows carry over in order (a single-style network warm-starts another
        // painting). A different number: rows are matched by style name, the rest start at the mean row.
        bool reRowed = source.Architecture.Styles != config.Architecture.Styles;
        var names = config.Styles.Select(s => s.Name).ToList();
        var sourceDepth = config.Architecture with { ResidualBlocks = source.Architecture.ResidualBlocks };
        IReadOnlyDictionary<string, TensorData> weights = reRowed ? RunStyles.WithStyleRows(source.NetworkWeights, source.Styles, sourceDepth, names, path) : source.NetworkWeights;
        if (deepened) weights = ResidualDeepening.WithIdentityBlocks(weights, sourceDepth, net.ExportWeights(), config.Architecture);
        net.LoadWeights(weights, path);
        observer.OnWarmStart(path, source.StyleName, source.Step);
        if (deepened) observer.OnNewResidualBlocks(ResidualDeepening.NewBlocks(sourceDepth, config.Architecture));
        if (reRowed)
        {
            var known = source.Styles.Select(s => s.Name).ToHashSet();
            observer.OnStyleRows(names.Where(known.Contains).ToList(), names.Where(n => !known.Contains(n)).ToList());
        }
    }

    /// <summary>Everything that can be refused, checked before minutes of loading and training; returns the checkpoint to resume, if any.</summary>
    static Checkpoint? CheckRequest(TrainRequest request, long lastStep)
    {
        var config = request.Config;
        foreach (var style in config.Styles)
            if (!File.Exists(style.Image))
                throw new FastStyleError($"style image '{style.Image}': file not found ({(config.StyleList is null ? "style_image" : $"style '{style.Name}' image")} is relative to the config file)");
        int minimumCrop = config.Loss.MinimumImageSide;
        if (config.ImageSize < minimumCrop)
            throw new FastStyleError($"image_size {config.ImageSize} is smaller than the {minimumCrop} pixels the loss layers need (deepest: {config.Loss.Taps.MaxBy(config.Loss.Architecture.TapPosition)})");
        if (request.ResumeFrom is not { } resumeFrom) return null;
        var checkpoint = Checkpoint.Load(resumeFrom);
        if (config.Train == TrainMode.All && checkpoint.Architecture != config.Architecture)
            throw new FastStyleError($"checkpoint '{resumeFrom}': network {checkpoint.Architecture} differs from the config's {config.Architecture}");
        if (checkpoint.Step >= lastStep)
            throw new FastStyleError($"checkpoint '{resumeFrom}' is already at step {checkpoint.Step}, which reaches the last step {lastStep}; nothing to train (raise --max-steps or the config's steps)");
        return checkpoint;
    }

    static string SaveCheckpoint(RunLayout layout, TransformerNet net, AdamOptimizer adam, TrainingConfig config, RunStyles plan, PrecisionDecision precision,
        long step, DataPosition position, double backoff, TrainRequest request)
    {
        var checkpoint = new Checkpoint
        {
            Step = step,
            Epoch = position.Epoch,
            IndexInEpoch = position.Index,
            Seed = config.Seed,
            ConfigText = config.ResolvedText,
            ConfigHash = config.Hash,
            StyleName = plan.Name(config),
            Precision = precision.Describe(),
            LearningRateBackoff = backoff,
            StyleImageSha256 = string.Join(",", plan.Entries.Select(e => e.ImageSha256)),
            MultiStyles = plan.Architecture.IsMultiStyle ? plan.Entries : null,
            NormOnlyFirstStyle = plan.NormOnly ? plan.FirstTrainedRow : null,
            Architecture = plan.Architecture,
            NetworkWeights = net.ExportWeights(),
            OptimizerState = adam.ExportState().ToDictionary(t => t.Name),
        };
        string path = layout.CheckpointPath(step);
        checkpoint.Save(path);
        if (request.ResumableCopy != null) checkpoint.Save(request.ResumableCopy, compactOptimizerState: true);
        layout.PruneCheckpoints(request.KeepCheckpoints, current: path);
        return path;
    }

    sealed record Sample(string Name, RgbImage Image);

    /// <summary>Automatic samples: this many of the dataset's first readable images.</summary>
    public const int AutomaticSamples = 2;

    /// <summary>
    /// Fixed content images stylised at every sample step, so progress is comparable over time.
    /// Images named in the config must load (the user chose them); automatic picks skip unreadable
    /// dataset files with a warning, as the data loader does, instead of aborting the run.
    /// </summary>
    static List<Sample> LoadSamples(TrainingConfig config, ImageFolderDataset dataset, ITrainingObserver observer)
    {
        var options = new ImageLoadOptions { LongestSide = config.SampleSize };
        if (config.SampleImages.Count > 0)
            return config.SampleImages.Select(p => new Sample(Path.GetFileNameWithoutExtension(p), ImageFile.Load(p, options))).ToList();
        var samples = new List<Sample>();
        foreach (var path in dataset.Files)
        {
            if (samples.Count == AutomaticSamples) break;
            try
            {
                samples.Add(new Sample(Path.GetFileNameWithoutExtension(path), ImageFile.Load(path, options)));
            }
            catch (FastStyleError e)
            {
                observer.OnWarning($"not used as a sample image: {e.Message}");
            }
        }
        return samples;
    }

    /// <summary>Every sample in every style the run trains (a multi-style run's files are named "sample.style").</summary>
    static List<string> WriteSamples(RunLayout layout, TransformerNet net, IReadOnlyList<TrainingStyle> styles, List<Sample> samples, long step, ScalarType compute)
    {
        var written = new List<string>();
        foreach (var sample in samples)
            foreach (var style in styles)
            {
                using var scope = torch.NewDisposeScope();
                var output = net.Stylize(ImageTensors.ToTensor(sample.Image).to(compute), TrainingStep.StyleRows(net, style.Row, 1));
                string path = layout.SamplePath(step, net.Architecture.IsMultiStyle ? $"{sample.Name}.{style.Name}" : sample.Name);
                ImageFile.Save(ImageTensors.ToImage(output), path);
                written.Add(path);
            }
        return written;
    }

    /// <summary>Disposes the per-style targets together.</summary>
    sealed class DisposeAll(IEnumerable<IDisposable> items) : IDisposable
    {
        readonly List<IDisposable> list = items.ToList();

        public void Dispose() => list.ForEach(d => d.Dispose());
    }

    sealed class NullObserver : ITrainingObserver { }
}
