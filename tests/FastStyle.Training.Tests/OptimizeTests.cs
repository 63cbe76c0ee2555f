using System.Text.Json.Nodes;
using FastStyle.Data;
using FastStyle.Data.Imaging;
using FastStyle.Training.Losses;
using FastStyle.Training.Optimization;

namespace FastStyle.Training.Tests;

/// <summary>`optimize` end to end on the tiny random VGG (tiny images, so it takes about a second).</summary>
public class OptimizeTests
{
    static OptimizeRequest Request(TempDir dir, string output, OptimizeOptions options) => new()
    {
        ContentPath = File.Exists(dir.File("content.png")) ? dir.File("content.png") : Fixtures.WriteImage(dir.File("content.png"), 40, 30, seed: 11),
        StylePath = File.Exists(dir.File("style.png")) ? dir.File("style.png") : Fixtures.WriteImage(dir.File("style.png"), 32, 32, seed: 12),
        OutputPath = output,
        VggPath = Fixtures.TinyVggPath,
        Size = 32,
        Loss = LossConfigFile.Load(Fixtures.WriteTinyLossYaml(dir.Path)),
        Options = options,
        MetricsPath = Path.ChangeExtension(output, ".json"),
    };

    [Fact]
    public void Lbfgs_lowers_the_loss_and_writes_image_and_metrics()
    {
        using var dir = new TempDir();
        string output = dir.File("out.png");
        var iterations = new List<IterationLoss>();
        var result = OptimizeJob.Run(Request(dir, output, new OptimizeOptions { Iterations = 15 }), iterations.Add);

        // The loss file was read, not the Gatys defaults (which need relu4_2/relu5_1, absent from the fixture).
        Assert.Equal(new[] { "relu1_1", "relu2_1" }, result.Final.StyleByLayer.Keys.Order().ToArray());
        Assert.Equal(16, result.History.Count);
        Assert.Equal(Enumerable.Range(0, 16), result.History.Select(h => h.Iteration));
        Assert.Equal(result.History.Select(h => h.Iteration), iterations.Select(h => h.Iteration));
        Assert.True(result.Initial.Style > 0);
        Assert.Equal(0, result.Initial.Content, 9); // starts from the content image
        Assert.True(result.Final.Total < 0.5 * result.Initial.Total, $"total loss {result.Initial.Total} -> {result.Final.Total}");

        // 40x30 content at --size 32 -> 32x24 output.
        var info = ImageFile.ReadInfo(output);
        Assert.Equal((32, 24), (info.Width, info.Height));
        Assert.Equal((32, 24), (result.Image.Width, result.Image.Height));

        var metrics = JsonNode.Parse(File.ReadAllText(Path.ChangeExtension(output, ".json")))!.AsObject();
        foreach (var key in new[] { "style_loss_initial", "style_loss_final", "content_loss_final", "total_loss_final", "iterations", "seconds", "history" })
            Assert.True(metrics.ContainsKey(key), $"metrics lack '{key}'");
        // Which convolutions ran, since speed and memory depend on it (Winograd or direct, per CPU).
        Assert.Matches("^(direct \\(oneDNN\\)|Winograd F\\(4x4,3x3\\) on \\d+ of \\d+ layers)", (string)metrics["loss_convolutions"]!);
        Assert.Equal(15, (int)metrics["iterations"]!);
        Assert.True((double)metrics["seconds"]! > 0);
        Assert.Equal(result.Initial.Style, (double)metrics["style_loss_initial"]!);
        Assert.Equal(result.Final.Style, (double)metrics["style_loss_final"]!);
        Assert.Equal(result.Final.Content, (double)metrics["content_loss_final"]!);
        Assert.Equal(result.Final.Total, (double)metrics["total_loss_final"]!);
        Assert.True((double)metrics["total_loss_final"]! < (double)metrics["history"]![0]!["total"]!.GetValue<double>());
        var history = metrics["history"]!.AsArray();
        Assert.Equal(15 + 1, history.Count);
        Assert.Equal(15, (int)history[^1]!["iteration"]!);
        Assert.Equal(32, (int)metrics["width"]!);
        Assert.Equal(24, (int)metrics["height"]!);
    }

    [Fact]
    public void Noise_init_with_the_same_seed_is_deterministic()
    {
        using var dir = new TempDir();
        var options = new OptimizeOptions { Iterations = 6, Init = InitialImage.Noise, Seed = 7 };
        var a = OptimizeJob.Run(Request(dir, dir.File("a.png"), options));
        var b = OptimizeJob.Run(Request(dir, dir.File("b.png"), options));
        var c = OptimizeJob.Run(Request(dir, dir.File("c.png"), options with { Seed = 8 }));

        Assert.True(a.Initial.Content > 0, "noise init should start away from the content");
        Assert.Equal(a.Image.Pixels, b.Image.Pixels);
        Assert.Equal(a.History.Select(h => h.Loss.Total), b.History.Select(h => h.Loss.Total));
        Assert.Equal(File.ReadAllBytes(dir.File("a.png")), File.ReadAllBytes(dir.File("b.png")));
        Assert.NotEqual(a.Image.Pixels, c.Image.Pixels);
    }

    [Fact]
    public void Unsupported_output_extension_fails_before_any_work()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<FastStyleError>(() => OptimizeJob.Run(Request(dir, dir.File("out.tiff"), new OptimizeOptions { Iterations = 1 })));
        Assert.Contains(".tiff", e.Message);
        Assert.False(File.Exists(dir.File("out.tiff")));
    }
}

/// <summary>The CLI's user-error contract: exit code 2 and exactly one line on stderr.</summary>
public class CliTests
{
    static (int Code, string Stderr) RunCli(params string[] args)
    {
        var previousError = Console.Error;
        var previousOut = Console.Out;
        var stderr = new StringWriter();
        try
        {
            Console.SetError(stderr);
            Console.SetOut(new StringWriter());
            int code = FastStyle.Cli.Program.Main(args);
            return (code, stderr.ToString());
        }
        finally
        {
            Console.SetError(previousError);
            Console.SetOut(previousOut);
        }
    }

    static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Fact]
    public void Missing_content_file_is_a_one_line_user_error()
    {
        using var dir = new TempDir();
        string style = Fixtures.WriteImage(dir.File("style.png"), 16, 16, 1);
        string missing = dir.File("no-such-content.jpg");
        var (code, stderr) = RunCli("optimize", "--content", missing, "--style", style, "--output", dir.File("out.png"),
            "--vgg", Fixtures.TinyVggPath, "--loss", Fixtures.WriteTinyLossYaml(dir.Path), "--size", "16", "--iterations", "1");
        Assert.Equal(2, code);
        var lines = Lines(stderr);
        Assert.Single(lines);
        Assert.StartsWith("faststyle: ", lines[0]);
        Assert.Contains(missing, lines[0]);
        Assert.Contains("not found", lines[0]);
        Assert.False(File.Exists(dir.File("out.png")));
    }

    [Fact]
    public void Non_image_content_file_is_a_one_line_user_error()
    {
        using var dir = new TempDir();
        string style = Fixtures.WriteImage(dir.File("style.png"), 16, 16, 1);
        string content = dir.File("content.png");
        File.WriteAllText(content, "this is not a PNG\n");
        var (code, stderr) = RunCli("optimize", "--content", content, "--style", style, "--output", dir.File("out.png"),
            "--vgg", Fixtures.TinyVggPath, "--loss", Fixtures.WriteTinyLossYaml(dir.Path), "--size", "16", "--iterations", "1");
        Assert.Equal(2, code);
        var lines = Lines(stderr);
        Assert.Single(lines);
        Assert.StartsWith("faststyle: ", lines[0]);
        Assert.Contains(content, lines[0]);
        Assert.Contains("not an image file", lines[0]);
        Assert.False(File.Exists(dir.File("out.png")));
    }

    [Fact]
    public void Parse_error_is_a_one_line_user_error()
    {
        var (code, stderr) = RunCli("optimize", "--content", "a.jpg", "--style", "b.jpg", "--output", "c.png", "--iterations", "0");
        Assert.Equal(2, code);
        var line = Assert.Single(Lines(stderr));
        Assert.Contains("--iterations", line);
    }
}
