using System.CommandLine;
using FastStyle.Training.Export;
using Spectre.Console;

namespace FastStyle.Cli.Commands;

/// <summary>
/// `faststyle export CHECKPOINT --output model.onnx`: ONNX export with a parity check against TorchSharp;
/// `--format pth`: a state dict for pytorch/examples' fast_neural_style TransformerNet.
/// </summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var checkpoint = new Argument<string>("checkpoint") { Description = "Training checkpoint (.safetensors) or a run folder (its newest checkpoint)" };
        var output = new Option<string>("--output", "-o") { Description = "File to write (.onnx, or .pth with --format pth)", Required = true };
        var format = new Option<string>("--format") { Description = "onnx (default), or pth: a state dict that pytorch/examples' fast_neural_style TransformerNet loads", DefaultValueFactory = _ => "onnx" };
        format.AcceptOnlyFromAmong("onnx", "pth");
        var command = new Command("export", "Export a checkpoint to ONNX (checked against TorchSharp before it is written) or to a PyTorch state dict") { checkpoint, output, format };
        command.SetAction(parse =>
        {
            string path = Training.Runs.RunLayout.ResolveCheckpoint(parse.GetValue(checkpoint)!);
            if (parse.GetValue(format) == "pth")
            {
                var pth = PyTorchModelExchange.ExportPth(path, parse.GetValue(output)!);
                AnsiConsole.MarkupLineInterpolated(
                    $"wrote [green]{pth.OutputPath}[/]: {pth.TensorCount} tensors for pytorch/examples' TransformerNet ({pth.Architecture}; it takes and returns 0..255 pixels); read back: max relative diff {pth.MaxRelativeDifference:G3} (limit {PyTorchModelExchange.RoundTripTolerance:G1})");
                return ExitCodes.Success;
            }
            var result = CheckpointExporter.Export(path, parse.GetValue(output)!);
            AnsiConsole.MarkupLineInterpolated(
                $"wrote [green]{result.OutputPath}[/] ({new FileInfo(result.OutputPath).Length / 1e6:F1} MB): style {result.Metadata.StyleName}, step {result.Metadata.TrainingSteps}; parity with TorchSharp at {string.Join(", ", result.CheckedSizes.Select(s => $"{s.Width}x{s.Height}"))}: max |diff| {result.MaxAbsDifference:G3} (limit {CheckpointExporter.ParityTolerance:G1})");
            return ExitCodes.Success;
        });
        return command;
    }
}
