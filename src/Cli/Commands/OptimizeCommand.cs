using System.CommandLine;
using FastStyle.Inference;
using FastStyle.Training.Losses;
using FastStyle.Training.LossNetwork;
using FastStyle.Training.Optimization;
using FastStyle.Training.Runs;
using Spectre.Console;

namespace FastStyle.Cli.Commands;

/// <summary>`faststyle optimize`: per-image optimisation (Gatys et al.), the baseline networks are compared with.</summary>
public static class OptimizeCommand
{
    public static Command Create()
    {
        var content = new Option<string>("--content", "-c") { Description = "Content image", Required = true };
        var style = new Option<string>("--style", "-s") { Description = "Style image", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "Output image (.png, .jpg, .webp)", Required = true };
        var size = CommonOptions.Size("--size", $"Longest side of the content/output image in pixels (default {OptimizeRequest.DefaultSize})");
        var styleSize = CommonOptions.Size("--style-size", "Longest side of the style image (default: --size)");
        var iterations = CommonOptions.Positive("--iterations", $"Iterations, one loss+gradient evaluation each (default {OptimizeOptions.DefaultIterations})");
        var optimizer = CommonOptions.Choice("--optimizer", "lbfgs or adam", OptimizeOptions.DefaultOptimizer);
        var init = CommonOptions.Choice("--init", "Start from the content image or from seeded noise", OptimizeOptions.DefaultInit);
        var lossFile = new Option<string?>("--loss") { Description = "Loss definition YAML (a loss file or a training config's loss: section). Default: Gatys et al., see configs/README.md" };
        var vgg = CommonOptions.Vgg();
        var seed = new Option<int>("--seed") { Description = "Seed for noise initialisation", DefaultValueFactory = _ => OptimizeOptions.DefaultSeed };
        var saveEvery = CommonOptions.Integer("--save-every", "Also write out.iterNNNN.png every N iterations (0: never)", min: 0);
        var overwrite = CommonOptions.Overwrite();
        var precision = CommonOptions.Choice("--precision", "Loss network compute type: auto (bf16 where the CPU has AVX512-BF16 or AMX, else fp32), fp32 or bf16 (losses within 1% of fp32)", OptimizeRequest.DefaultPrecision);
        var metrics = new Option<string?>("--metrics") { Description = "Write losses, timings and per-iteration history as JSON" };

        var command = new Command("optimize", "Stylise one image by optimising its pixels (Gatys et al. 2016)")
        {
            content, style, output, size, styleSize, iterations, optimizer, init, lossFile, vgg, seed, saveEvery, precision, metrics, overwrite,
        };
        command.SetAction(parse =>
        {
            var cancel = Interrupt.Token;
            CommonOptions.RequireFile(parse.GetValue(content)!, "content image");
            CommonOptions.RequireFile(parse.GetValue(style)!, "style image");
            string? lossPath = parse.GetValue(lossFile);
            var (loss, _) = LossConfigFile.LoadOrGatysDefaults(lossPath);
            var request = new OptimizeRequest
            {
                ContentPath = parse.GetValue(content)!,
                StylePath = parse.GetValue(style)!,
                OutputPath = parse.GetValue(output)!,
                VggPath = VggWeightsLocator.Resolve(parse.GetValue(vgg)),
                Size = parse.GetValue(size) ?? OptimizeRequest.DefaultSize,
                StyleSize = parse.GetValue(styleSize),
                Loss = loss,
                MetricsPath = parse.GetValue(metrics),
                Overwrite = parse.GetValue(overwrite),
                Precision = CommonOptions.ChoiceValue<PrecisionSetting>(parse, precision),
                Options = new OptimizeOptions
                {
                    Iterations = parse.GetValue(iterations) ?? OptimizeOptions.DefaultIterations,
                    Optimizer = CommonOptions.ChoiceValue<PixelOptimizer>(parse, optimizer),
                    Init = CommonOptions.ChoiceValue<InitialImage>(parse, init),
                    Seed = parse.GetValue(seed),
                    SnapshotEvery = parse.GetValue(saveEvery) ?? 0,
                },
            };
            var decision = PrecisionPolicy.Decide(request.Precision);
            Console.WriteLine(decision.Describe());
            if (decision.Warning != null) Console.Error.WriteLine($"warning: {decision.Warning}");
            var result = Progress.Run($"optimize {Path.GetFileName(request.ContentPath)}", request.Options.Iterations,
                report => OptimizeJob.Run(request, it =>
                {
                    if (it.Iteration == 0) return;
                    report(it.Iteration, $"total {it.Loss.Total:G4}  style {it.Loss.Style:G4}  content {it.Loss.Content:G4}");
                }, cancel));
            AnsiConsole.MarkupLineInterpolated(
                $"wrote [green]{request.OutputPath}[/]: style {result.Initial.Style:G4} -> {result.Final.Style:G4} ({result.Final.Style / result.Initial.Style:P1}), content {result.Final.Content:G4}, {result.Seconds:F1} s ({result.Seconds / Math.Max(1, result.History.Count - 1):F3} s/iteration)");
            return cancel.IsCancellationRequested ? Interrupt.ExitCode : ExitCodes.Success;
        });
        return command;
    }
}
