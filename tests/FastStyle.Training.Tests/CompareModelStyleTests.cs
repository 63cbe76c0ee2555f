using System.Text.Json.Nodes;
using FastStyle.Cli;
using FastStyle.Data;
using FastStyle.Inference;
using FastStyle.Training.Evaluation;
using FastStyle.Training.Networks;
using FastStyle.Training.Reporting;

namespace FastStyle.Training.Tests;

/// <summary>`compare` on a multi-style model: which style the network runs with, and how that is reported (issue 14).</summary>
public class CompareModelStyleTests
{
    sealed record Setup(TempDir Dir, string Vgg, string Loss, string Model, string StyleA, string StyleB, string Content);

    static Setup Make()
    {
        var dir = new TempDir();
        string styleA = EvaluateCompareFixtures.WriteImage(dir.Path, "a.png", 32, 32, seed: 1);
        string styleB = EvaluateCompareFixtures.WriteImage(dir.Path, "b.png", 32, 32, seed: 9);
        var arch = new TransformerArchitecture(4, 1, Styles: 2);
        using var net = ExportParityTests.RandomNetwork(arch, seed: 3, normNoise: 0.5);
        string model = dir.File("two.onnx");
        TransformerOnnxExporter.Write(model, arch, net.ExportWeights(), new ModelMetadata("a+b", "-", 0, "0", arch)
        {
            Styles = [new("a", FileHash.Sha256OfFile(styleA)), new("b", FileHash.Sha256OfFile(styleB))],
        });
        return new(dir, EvaluateCompareFixtures.WriteVgg(dir.Path), EvaluateCompareFixtures.WriteLossYaml(dir.Path), model,
            styleA, styleB, EvaluateCompareFixtures.WriteImage(dir.Path, "photo.png", 32, 32, seed: 2));
    }

    static (int Code, JsonNode? Report) Compare(Setup s, string output, params string[] extra)
    {
        string[] args = ["compare", "--model", s.Model, "--style", s.StyleB, "--content", s.Content, "--iterations", "1", "--size", "32",
            "--loss", s.Loss, "--vgg", s.Vgg, "--output", s.Dir.File(output), .. extra];
        int code = Program.Main(args);
        string report = Path.Combine(s.Dir.File(output), "report.json");
        return (code, File.Exists(report) ? JsonNode.Parse(File.ReadAllText(report)) : null);
    }

    static double NetworkLoss(JsonNode report) => (double)report["images"]![0]!["network"]!["loss"]!["total"]!;

    [Fact]
    public void By_default_the_network_runs_the_style_trained_on_the_style_image()
    {
        var s = Make();
        using var dir = s.Dir;
        var (code, report) = Compare(s, "default");
        Assert.Equal(ExitCodes.Success, code);
        Assert.Equal("b", (string)report!["model"]!["ran_with_style"]!);
        Assert.Equal(2, (int)report["model"]!["styles"]!);
        Assert.True((bool)report["style"]!["matches_model"]!);

        // Naming the other style runs other instance-norm rows: another output, flagged as not matching the image.
        var (otherCode, other) = Compare(s, "other", "--model-style", "a");
        Assert.Equal(ExitCodes.Success, otherCode);
        Assert.Equal("a", (string)other!["model"]!["ran_with_style"]!);
        Assert.False((bool)other["style"]!["matches_model"]!);
        Assert.NotEqual(NetworkLoss(report), NetworkLoss(other));

        var (namedCode, named) = Compare(s, "named", "--model-style", "b");
        Assert.Equal(ExitCodes.Success, namedCode);
        Assert.Equal(NetworkLoss(report), NetworkLoss(named!), 9);
    }

    [Fact]
    public void An_unknown_model_style_is_a_user_error_listing_the_models_styles()
    {
        var s = Make();
        using var dir = s.Dir;
        var (code, report) = Compare(s, "bad", "--model-style", "c");
        Assert.Equal(ExitCodes.UserError, code);
        Assert.Null(report);
        var error = Assert.Throws<FastStyleError>(() => ModelStyleChoice.Resolve("c", ModelMetadata.ReadFromOnnx(s.Model), s.Model, "-"));
        Assert.Equal($"--model-style 'c': unknown style 'c'; model '{s.Model}' holds: a, b", error.Message);
    }
}
