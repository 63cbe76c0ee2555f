using System.CommandLine;
using FastStyle.Training.Export;
using Spectre.Console;

namespace FastStyle.Cli.Commands;

/// <summary>`faststyle export CHECKPOINT --output model.onnx`: ONNX export with a parity check against TorchSharp.</summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var checkpoint = new Argument<string>("checkpoint") { Description = "Training checkpoint (.safetensors) or a run folder (its newest checkpoint)" };
        var output = new Option<string>("--output", "-o") { Description = "ONNX file to write", Required = true };
        var command = new Command("export", "Export a checkpoint to ONNX (checked against TorchSharp before it is written)") { checkpoint, output };
        command.SetAction(parse =>
        {
            string path = Training.Training.RunLayout.ResolveCheckpoint(parse.GetValue(checkpoint)!);
            var result = CheckpointExporter.Export(path, parse.GetValue(output)!);
            AnsiConsole.MarkupLineInterpolated(
                $"wrote [green]{result.OutputPath}[/] ({new FileInfo(result.OutputPath).Length / 1e6:F1} MB): style {result.Metadata.StyleName}, step {result.Metadata.TrainingSteps}; parity with TorchSharp at {string.Join(", ", result.CheckedSizes.Select(s => $"{s.Width}x{s.Height}"))}: max |diff| {result.MaxAbsDifference:G3} (limit {CheckpointExporter.ParityTolerance:G1})");
            return ExitCodes.Success;
        });
        return command;
    }
}
