using System.CommandLine;
using FastStyle.Training.Export;
using Spectre.Console;

namespace FastStyle.Cli.Commands;

/// <summary>`faststyle import MODEL.pth --output M.onnx [--name STYLE]`: a pytorch/examples fast_neural_style network to our ONNX model.</summary>
public static class ImportCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "State dict of a pytorch/examples fast_neural_style TransformerNet (.pth/.model, torch.save(net.state_dict(), path))" };
        var output = new Option<string>("--output", "-o") { Description = "ONNX file to write", Required = true };
        var name = new Option<string?>("--name") { Description = "Style name stored in the model (default: the file name)" };
        var command = new Command("import", "Import a pytorch/examples fast_neural_style .pth network as an ONNX model (checked against TorchSharp before it is written)") { model, output, name };
        command.SetAction(parse =>
        {
            var result = PyTorchModelExchange.Import(parse.GetValue(model)!, parse.GetValue(output)!, parse.GetValue(name));
            AnsiConsole.MarkupLineInterpolated(
                $"wrote [green]{result.OutputPath}[/] ({new FileInfo(result.OutputPath).Length / 1e6:F1} MB): style {result.Metadata.StyleName}, {result.Metadata.Architecture}; parity with TorchSharp at {string.Join(", ", result.CheckedSizes.Select(s => $"{s.Width}x{s.Height}"))}: max |diff| {result.MaxAbsDifference:G3} (limit {CheckpointExporter.ParityTolerance:G1})");
            return ExitCodes.Success;
        });
        return command;
    }
}
