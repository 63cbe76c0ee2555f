using System.CommandLine;
using FastStyle.Training.Evaluation;
using FastStyle.Training.Losses;
using FastStyle.Training.LossNetwork;
using FastStyle.Training.Optimization;
using Spectre.Console;

namespace FastStyle.Cli.Commands;

/// <summary>`faststyle compare`: a network against Gatys optimisation on the same objective (logic: Training/Evaluation/CompareJob).</summary>
public static class CompareCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "FastStyle ONNX model", Required = true };
        var style = new Option<string>("--style", "-s") { Description = "Style image (normally the one the model was trained on)", Required = true };
        var content = new Option<string[]>("--content", "-c") { Description = "Content images", Required = true, AllowMultipleArgumentsPerToken = true };
        string defaultIterations = string.Join(",", CheckpointList.Default);
        var iterations = new Option<string>("--iterations") { Description = $"Gatys checkpoint iterations, comma-separated (default {defaultIterations})", DefaultValueFactory = _ => defaultIterations };
        var size = CommonOptions.Size("--size", $"Longest side of the content, network and Gatys images (default {CompareRequest.DefaultSize})");
        var styleSize = CommonOptions.Size("--style-size", "Longest side of the style image (default: --size; the training config's style_size scores on the network's own targets)");
        var lossFile = new Option<string?>("--loss")
        {
            Description = "Loss both methods are scored on and Gatys minimises (a loss YAML or a training config). " +
                          "Pass the model's training config for a fair comparison; default: Gatys et al., which favours Gatys",
        };
        var vgg = CommonOptions.Vgg();
        var init = CommonOptions.Choice("--init", "Gatys start: noise (seeded; Johnson et al.'s protocol) or content (a much stronger start)", CompareRequest.DefaultInit);
        var seed = new Option<int>("--seed") { Description = "Seed of the noise start", DefaultValueFactory = _ => CompareRequest.DefaultSeed };
        var modelStyle = new Option<string?>(ModelStyleChoice.OptionName)
        {
            Description = "Multi-style models: the style the network runs with, a name (wave) or a mix (\"wave=0.7,udnie=0.3\"); default: the style trained on the --style image",
        };
        var reuseGatys = new Option<string?>("--reuse-gatys")
        {
            Description = "Output folder of an earlier compare with the same style, loss, VGG, size, start and checkpoints: its Gatys runs " +
                          "are reused for the content images it finished (Gatys never depends on the network), so scoring another network takes seconds",
        };
        var output = new Option<string>("--output", "-o") { Description = "Folder for report.json/.md/.html, grid.jpg, loss.png and the images", Required = true };
        var command = new Command("compare", "Compare a network with per-image optimisation: equivalent Gatys iterations and speed ratio")
        {
            model, style, modelStyle, content, iterations, size, styleSize, lossFile, vgg, init, seed, reuseGatys, output,
        };
        command.SetAction(parse =>
        {
            var cancel = Interrupt.Token;
            CommonOptions.RequireFile(parse.GetValue(model)!, "model");
            CommonOptions.RequireFile(parse.GetValue(style)!, "style image");
            string? lossPath = parse.GetValue(lossFile);
            if (lossPath != null) CommonOptions.RequireFile(lossPath, "loss config");
            var (loss, lossSource) = LossConfigFile.LoadOrGatysDefaults(lossPath);
            var request = new CompareRequest
            {
                ModelPath = parse.GetValue(model)!,
                StylePath = parse.GetValue(style)!,
                ContentPaths = parse.GetValue(content) ?? [],
                Iterations = CheckpointList.Parse(parse.GetValue(iterations)!),
                Size = parse.GetValue(size) ?? CompareRequest.DefaultSize,
                StyleSize = parse.GetValue(styleSize),
                Loss = loss,
                LossSource = lossSource,
                VggPath = VggWeightsLocator.Resolve(parse.GetValue(vgg)),
                Init = CommonOptions.ChoiceValue<InitialImage>(parse, init),
                Seed = parse.GetValue(seed),
                ModelStyle = parse.GetValue(modelStyle),
                ReuseGatysFrom = parse.GetValue(reuseGatys),
                OutputDirectory = parse.GetValue(output)!,
            };
            foreach (var path in request.ContentPaths) CommonOptions.RequireFile(path, "content image");
            CompareJob.Validate(request);
            var report = Progress.Run("compare", CompareJob.TotalSteps(request),
                progress => CompareJob.Run(request, progress, cancel: cancel));
            if (!report.Setup.StyleMatchesModel)
                Console.Error.WriteLine($"warning: '{request.StylePath}' is not the style image the model's style '{report.Setup.ModelStyle.Name}' was trained on (sha256 differs from the model's metadata)");
            foreach (var i in report.Images)
                AnsiConsole.MarkupLineInterpolated(
                    $"{i.Name}: network loss {i.Network.Loss.Total:G4} in {i.Network.Seconds:F3} s; equivalent Gatys iterations {(i.Equivalence.Iterations?.ToString() ?? "not reached")}{(i.Equivalence.SpeedRatio is { } r ? $", speed ratio {r:G3}x" : "")}");
            AnsiConsole.MarkupLineInterpolated($"wrote [green]{Path.Combine(request.OutputDirectory, CompareOutputLayout.ReportMarkdown)}[/] (and report.json, report.html, grid.jpg, loss.png)");
            if (request.ReuseGatysFrom != null)
                Console.WriteLine($"Gatys reused from '{request.ReuseGatysFrom}' for {report.Images.Count(i => i.GatysReusedFrom != null)} of {report.Images.Count} image(s); the others were optimised here");
            Console.WriteLine(report.Summary.Describe());
            return cancel.IsCancellationRequested ? Interrupt.ExitCode : ExitCodes.Success;
        });
        return command;
    }
}
