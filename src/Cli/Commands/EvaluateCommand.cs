using System.CommandLine;
using FastStyle.Training.Evaluation;
using FastStyle.Training.Losses;
using FastStyle.Training.LossNetwork;
using Spectre.Console;

namespace FastStyle.Cli.Commands;

/// <summary>`faststyle evaluate`: the style/content/TV objective measured on existing stylised images (logic: Training/Evaluation/EvaluateJob).</summary>
public static class EvaluateCommand
{
    public static Command Create()
    {
        var style = new Option<string>("--style", "-s") { Description = "Style image", Required = true };
        var content = new Option<string[]>("--content", "-c") { Description = "Content images (content i is the reference for stylized i)", Required = true, AllowMultipleArgumentsPerToken = true };
        var stylized = new Option<string[]>("--stylized") { Description = "Stylised images to score, one per content image", Required = true, AllowMultipleArgumentsPerToken = true };
        var lossFile = new Option<string?>("--loss") { Description = "Loss definition YAML (a loss file or a training config's loss: section). Default: Gatys et al." };
        var vgg = CommonOptions.Vgg();
        var size = CommonOptions.Size("--size", $"Longest side of the content images; stylized images are resized to their content's size (default {EvaluateRequest.DefaultSize})");
        var styleSize = CommonOptions.Size("--style-size", "Longest side of the style image (default: --size; use the training config's style_size to score a network on its own targets)");
        var json = new Option<string?>("--json") { Description = "Write per-image losses and mean ± std as JSON" };
        var overwrite = CommonOptions.Overwrite();
        var command = new Command("evaluate", "Score stylised images with the perceptual loss (content, style per layer, TV, total)")
        {
            style, content, stylized, lossFile, vgg, size, styleSize, json, overwrite,
        };
        command.SetAction(parse =>
        {
            var cancel = Interrupt.Token;
            string? lossPath = parse.GetValue(lossFile);
            if (lossPath != null) CommonOptions.RequireFile(lossPath, "loss config");
            var (loss, lossSource) = LossConfigFile.LoadOrGatysDefaults(lossPath);
            var request = new EvaluateRequest
            {
                StylePath = parse.GetValue(style)!,
                ContentPaths = parse.GetValue(content) ?? [],
                StylizedPaths = parse.GetValue(stylized) ?? [],
                VggPath = VggWeightsLocator.Resolve(parse.GetValue(vgg)),
                Size = parse.GetValue(size) ?? EvaluateRequest.DefaultSize,
                StyleSize = parse.GetValue(styleSize),
                Loss = loss,
                LossSource = lossSource,
                JsonPath = parse.GetValue(json),
                Overwrite = parse.GetValue(overwrite),
            };
            EvaluateJob.Validate(request);
            var result = Progress.Run("evaluate", request.ContentPaths.Count,
                report => EvaluateJob.Run(request, (done, e) => report(done, Path.GetFileName(e.StylizedPath)), cancel));
            foreach (var table in Tables(result)) AnsiConsole.Write(table);
            if (request.JsonPath != null) AnsiConsole.MarkupLineInterpolated($"wrote [green]{request.JsonPath}[/]");
            return cancel.IsCancellationRequested ? Interrupt.ExitCode : ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Totals per image plus mean ± std; per-layer style shares get their own small table so both fit a terminal.</summary>
    static IEnumerable<Table> Tables(EvaluateResult result)
    {
        var totals = new Table().AddColumn("#").AddColumn("stylized");
        foreach (var name in new[] { "content", "style", "tv", "total" }) totals.AddColumn(new TableColumn(name).RightAligned());
        foreach (var (image, i) in result.Images.Select((image, i) => (image, i)))
            totals.AddRow((i + 1).ToString(), Markup.Escape(Path.GetFileName(image.StylizedPath)), G(image.Loss.Content), G(image.Loss.Style), G(image.Loss.TotalVariation), G(image.Loss.Total));
        var s = result.Summary;
        totals.AddRow("", "[bold]mean ± std[/]", s.Content.Format(), s.Style.Format(), s.TotalVariation.Format(), s.Total.Format());
        totals.Caption($"at content size, longest side {result.Request.Size}");
        yield return totals;

        var layers = new Table().AddColumn("style layer").AddColumn(new TableColumn("weighted share, mean ± std").RightAligned()).AddColumn(new TableColumn("of style").RightAligned());
        foreach (var (layer, stat) in s.StyleLayers)
            layers.AddRow(layer, stat.Format(), s.Style.Mean > 0 ? (stat.Mean / s.Style.Mean).ToString("P1", System.Globalization.CultureInfo.InvariantCulture) : "–");
        yield return layers;
    }

    static string G(double v) => v.ToString("G4", System.Globalization.CultureInfo.InvariantCulture);
}
