using System.CommandLine;
using FastStyle.Data;
using FastStyle.Training.LossNetwork;
using FastStyle.Training.Runs;
using Spectre.Console;

namespace FastStyle.Cli.Commands;

/// <summary>`faststyle train CONFIG`: trains a transformer network for one style (Johnson et al. 2016).</summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var config = new Argument<string>("config") { Description = "Training config YAML (see configs/README.md)" };
        var resume = new Option<string?>("--resume") { Description = "Continue from a checkpoint file, or the newest checkpoint of a run folder" };
        var maxSteps = CommonOptions.Positive("--max-steps", "Stop at this step (default: the config's steps)");
        var set = new Option<string[]>("--set") { Description = "Override a config key: --set key=value (nested: loss.style_weight=5)", AllowMultipleArgumentsPerToken = false };
        var output = new Option<string?>("--output", "-o") { Description = $"Run folder for checkpoints, samples, metrics (default: the resumed checkpoint's run folder, else {RunLayout.RunsFolder}/<style_name>)" };
        var forceNew = new Option<bool>("--force-new") { Description = "Start over in a run folder that holds another run, deleting its checkpoints, metrics and samples" };
        var resumableCopy = new Option<string?>("--resumable-copy")
        {
            Description = "Also keep one compact resumable checkpoint at this path (Adam moments in bf16), replaced at every checkpoint: commit it when a run must continue on another machine",
        };
        var keepCheckpoints = CommonOptions.Integer("--keep-checkpoints",
            $"Step checkpoints to keep in the run folder, newest first (default {TrainRequest.DefaultKeepCheckpoints}); 0 keeps every one, e.g. to score a learning curve", min: 0);
        var vgg = CommonOptions.Vgg();
        var command = new Command("train", "Train a feed-forward style network from a YAML config") { config, resume, maxSteps, set, output, forceNew, resumableCopy, keepCheckpoints, vgg };
        command.SetAction(parse =>
        {
            var cancel = Interrupt.Token;
            string configPath = parse.GetValue(config)!;
            CommonOptions.RequireFile(configPath, "config");
            var trainingConfig = TrainingConfig.Load(configPath, parse.GetValue(set) ?? []);
            string? resumeFrom = parse.GetValue(resume) is { } r ? RunLayout.ResolveCheckpoint(r) : null;
            string outputDirectory = parse.GetValue(output) ?? RunLayout.DefaultFolder(trainingConfig.StyleName, resumeFrom);
            var request = new TrainRequest
            {
                Config = trainingConfig,
                VggPath = VggWeightsLocator.Resolve(parse.GetValue(vgg)),
                OutputDirectory = outputDirectory,
                MaxSteps = parse.GetValue(maxSteps),
                ResumeFrom = resumeFrom,
                ForceNew = parse.GetValue(forceNew),
                ResumableCopy = parse.GetValue(resumableCopy),
            };
            if (parse.GetValue(keepCheckpoints) is { } keep) request = request with { KeepCheckpoints = keep };
            long total = request.LastStep;
            AnsiConsole.MarkupLineInterpolated($"training [bold]{trainingConfig.StyleName}[/] to step {total}: {trainingConfig.BatchSize}x{trainingConfig.ImageSize}px, network {trainingConfig.Architecture}, output {outputDirectory}");
            var result = Progress.Run($"train {trainingConfig.StyleName}", (int)total,
                report => Training.Runs.Trainer.Run(request, new ProgressObserver(report), cancel));
            string summary = result.LastLoss is { } l
                ? $"loss {l.Total:G4} (content {l.Content:G4}, style {l.Style:G4}, tv {l.TotalVariation:G4})"
                : "no steps run";
            Console.WriteLine($"{result.Message}; {summary}; {result.Seconds:F0} s; skipped images: {result.SkippedImages}; checkpoint: {result.Checkpoint ?? "none"}");
            return result.Outcome switch
            {
                TrainOutcome.Completed => ExitCodes.Success,
                TrainOutcome.Interrupted => Interrupt.ExitCode,
                _ => ExitCodes.Failed,
            };
        });
        return command;
    }

    sealed class ProgressObserver(Action<int, string> report) : ITrainingObserver
    {
        public void OnStep(StepReport r)
            => report((int)r.Step, $"{r.ImagesPerSecond:F1} img/s  lr {r.LearningRate:G3}  loss {r.Loss.Total:G4}  content {r.Loss.Content:G4}  style {r.Loss.Style:G4}");

        public void OnPrecision(PrecisionDecision decision) => Progress.Line(decision.Describe());

        public void OnVggScale(string description) => Progress.Line($"vgg_scale auto: {description}");
        public void OnLossConvolutions(string summary) => Progress.Line($"loss network convolutions: {summary}");

        public void OnWarmStart(string checkpoint, string styleName, long step)
            => Progress.Line($"warm start: network weights of '{styleName}' at step {step} ({checkpoint})");

        public void OnNewResidualBlocks(IReadOnlyList<string> blocks)
            => Progress.Line($"new residual blocks: {string.Join(", ", blocks)} after init_from's, each starting as the identity (its last norm's scale and shift at zero)");

        public void OnStyleRows(IReadOnlyList<string> fromSource, IReadOnlyList<string> atMeanRow)
            => Progress.Line($"style rows: {(fromSource.Count > 0 ? string.Join(", ", fromSource) + " from init_from" : "none from init_from")}" +
                             $"{(atMeanRow.Count > 0 ? $"; {string.Join(", ", atMeanRow)} start at its mean row" : "")}");

        public void OnNormOnly(IReadOnlyList<string> frozenStyles, IReadOnlyList<string> trainedStyles, long trainedParameters)
            => Progress.Line($"norm_only: training the scale/shift rows of {string.Join(", ", trainedStyles)} ({trainedParameters:N0} parameters); " +
                             $"{(frozenStyles.Count > 0 ? string.Join(", ", frozenStyles) + " and " : "")}all convolutions stay frozen");

        public void OnStyleDraws(StyleSampling sampling, IReadOnlyList<(string Name, double Fraction)> draws)
            => Progress.Line($"style draws ({(sampling == StyleSampling.Image ? "one per image" : "one per batch")}): " +
                             string.Join(", ", draws.Select(d => $"{d.Name} {(d.Fraction * 100).ToString("F1", System.Globalization.CultureInfo.InvariantCulture)}%")));

        public void OnCheckpoint(string path, long step) => Progress.Line($"step {step}: checkpoint {path}");

        public void OnWarning(string message) => Console.Error.WriteLine($"warning: {message}");
    }
}
