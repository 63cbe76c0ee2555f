using System.CommandLine;
using FastStyle.Data;
using FastStyle.Data.Imaging;
using FastStyle.Inference;
using Spectre.Console;

namespace FastStyle.Cli.Commands;

/// <summary>`faststyle stylize`: one forward pass of an exported network per image (ONNX Runtime).</summary>
public static class StylizeCommand
{
    public static Command Create()
    {
        // Not required by the parser: --list-styles needs neither inputs nor --output (checked in the action).
        var inputs = new Argument<string[]>("inputs") { Description = "Images or folders of images", Arity = ArgumentArity.ZeroOrMore };
        var model = new Option<string?>("--model", "-m") { Description = $"ONNX model file, or the name of a shipped style (e.g. {ModelLocator.DefaultStyle}; default: ${ModelLocator.EnvironmentVariable}, else {ModelLocator.DefaultStyle})" };
        var output = new Option<string?>("--output", "-o") { Description = "Output file (.png, .jpg, .webp), or a folder for several inputs (required unless --list-styles)" };
        var style = new Option<string?>("--style") { Description = "Multi-style models: a style name (wave) or a mix (\"wave=0.7,udnie=0.3\", weights normalised to sum 1); default: the model's first style" };
        var listStyles = new Option<bool>("--list-styles") { Description = "Print the style names the model holds, one per line, and exit" };
        var size = CommonOptions.Size("--size", "Resize so the longest side is N pixels first (default: keep the input's size)");
        var strength = CommonOptions.Fraction("--strength", "0..1: blend of stylised and original (1 = fully stylised)", StyleSettings.Default.Strength);
        var preserveColor = new Option<bool>("--preserve-color") { Description = "Keep the content's colours; transfer luminance only (Gatys et al. 2016)" };
        var tile = CommonOptions.Integer("--tile", $"Tile size for large images, at least {StyleSettings.Default.MinTileSize} (0: automatic above {StyleSettings.AutoTilePixelBudget / 1e6:F1} megapixels)", min: 0, max: ImageLoadOptions.MaxSide);
        var threads = CommonOptions.Positive("--threads", "ONNX Runtime intra-op threads (default: one per core)", max: 1024);
        var overwrite = CommonOptions.Overwrite();
        var command = new Command("stylize", "Stylise images with an exported network") { inputs, model, output, style, listStyles, size, strength, preserveColor, tile, threads, overwrite };
        command.SetAction(parse =>
        {
            var cancel = Interrupt.Token;
            string modelPath = ModelLocator.Resolve(parse.GetValue(model));
            if (parse.GetValue(listStyles))
            {
                foreach (var entry in ModelMetadata.ReadFromOnnx(modelPath).Styles) Console.WriteLine(entry.Name);
                return ExitCodes.Success;
            }
            string[] inputPaths = parse.GetValue(inputs) ?? [];
            if (inputPaths.Length == 0) throw new FastStyleError("stylize: give at least one input image or folder");
            string outputPath = parse.GetValue(output) ?? throw new FastStyleError("Option '--output' is required.");
            var settings = new StyleSettings(parse.GetValue(strength), parse.GetValue(preserveColor), parse.GetValue(tile) ?? StyleSettings.Default.TileSize);
            if (parse.GetValue(style) is { } styleText)
                settings = settings with { StyleWeights = StyleMix.Parse(styleText, ModelMetadata.ReadFromOnnx(modelPath), modelPath) };
            settings.Validate();
            var items = StylizeJob.Plan(inputPaths, outputPath, SkiaImageCodec.Instance, parse.GetValue(overwrite));
            using var stylizer = Stylizer.Load(modelPath, new StylizerOptions(parse.GetValue(threads)));
            int done = 0;
            var outcomes = Progress.Run($"stylize ({stylizer.Metadata.StyleName})", items.Count, report =>
                StylizeJob.Run(stylizer, items, settings, parse.GetValue(size), SkiaImageCodec.Instance, o =>
                {
                    if (o.Error != null) Console.Error.WriteLine($"faststyle: {o.Error}");
                    report(++done, Path.GetFileName(o.Item.Input));
                }, cancel));
            foreach (var o in outcomes.Where(o => o.Error == null))
                AnsiConsole.MarkupLineInterpolated($"wrote [green]{o.Item.Output}[/] ({o.Width}x{o.Height}, {o.Seconds:F2} s)");
            int failed = outcomes.Count(o => o.Error != null);
            if (failed > 0) Console.Error.WriteLine($"faststyle: {failed} of {items.Count} images failed (see above)");
            return cancel.IsCancellationRequested ? Interrupt.ExitCode : failed > 0 ? ExitCodes.UserError : ExitCodes.Success;
        });
        return command;
    }
}
