using System.Text.Json.Nodes;
using FastStyle.Cli;
using FastStyle.Data;
using FastStyle.Data.Imaging;
using FastStyle.Training.Evaluation;
using FastStyle.Training.Losses;
using FastStyle.Training.Optimization;
using FastStyle.Training.Reporting;

namespace FastStyle.Training.Tests;

/// <summary>`evaluate` and `compare` on a 4-conv random VGG, 32-pixel images and a 4-channel network: seconds, not minutes.</summary>
public class EvaluateCompareTests
{
    static EvaluateRequest Request(TempDir dir, string style, string[] contents, string[] stylized, string vgg) => new()
    {
        StylePath = style,
        ContentPaths = contents,
        StylizedPaths = stylized,
        VggPath = vgg,
        Size = 32,
        Loss = EvaluateCompareFixtures.Loss(dir.Path),
        JsonPath = dir.File("eval.json"),
    };

    [Fact]
    public void Content_scored_against_itself_has_zero_content_loss()
    {
        using var dir = new TempDir();
        string vgg = EvaluateCompareFixtures.WriteVgg(dir.Path);
        string style = EvaluateCompareFixtures.WriteImage(dir.Path, "style.png", 32, 32, seed: 1);
        string a = EvaluateCompareFixtures.WriteImage(dir.Path, "a.png", 40, 32, seed: 2);
        string b = EvaluateCompareFixtures.WriteImage(dir.Path, "b.png", 30, 45, seed: 3);

        var result = EvaluateJob.Run(Request(dir, style, [a, b], [a, b], vgg));

        Assert.Equal(2, result.Images.Count);
        foreach (var image in result.Images)
        {
            Assert.True(image.Loss.Content < 1e-6, $"content loss {image.Loss.Content}");
            Assert.True(image.Loss.Style > 0);
            Assert.Equal(image.Loss.Content + image.Loss.Style + image.Loss.TotalVariation, image.Loss.Total, 5);
        }
        // 40x32 at size 32 -> 32x26 (25.6 rounds up); 30x45 -> 21x32.
        Assert.Equal((32, 26), (result.Images[0].Width, result.Images[0].Height));
        Assert.Equal((21, 32), (result.Images[1].Width, result.Images[1].Height));

        var json = JsonNode.Parse(File.ReadAllText(dir.File("eval.json")))!;
        Assert.Equal(EvaluateReportJson.Format, (string)json["format"]!);
        Assert.True((bool)json["complete"]!);
        Assert.Equal(FileHash.Sha256OfFile(vgg), (string)json["vgg"]!["sha256"]!);
        Assert.Equal(2, json["images"]!.AsArray().Count);
        var styles = result.Images.Select(i => i.Loss.Style).ToArray();
        Assert.Equal(styles.Average(), (double)json["summary"]!["style"]!["mean"]!, 9);
        Assert.Equal(MathNet.Numerics.Statistics.Statistics.StandardDeviation(styles), (double)json["summary"]!["style"]!["std"]!, 9);
        // Weighted layer shares add up to the style total.
        var layers = json["images"]![0]!["loss"]!["style_layers"]!.AsObject();
        Assert.Equal(["relu1_1", "relu2_1"], layers.Select(kv => kv.Key).ToArray());
        Assert.Equal(styles[0], layers.Sum(kv => (double)kv.Value!["weighted"]!), styles[0] * 1e-6);
    }

    [Fact]
    public void Style_scored_against_itself_has_zero_style_loss()
    {
        using var dir = new TempDir();
        string vgg = EvaluateCompareFixtures.WriteVgg(dir.Path);
        string style = EvaluateCompareFixtures.WriteImage(dir.Path, "style.png", 32, 32, seed: 1);
        string content = EvaluateCompareFixtures.WriteImage(dir.Path, "content.png", 32, 32, seed: 4);

        var result = EvaluateJob.Run(Request(dir, style, [content], [style], vgg));

        var loss = result.Images.Single().Loss;
        Assert.True(loss.Style < 1e-6, $"style loss {loss.Style}");
        Assert.All(loss.StyleByLayer.Values, v => Assert.True(v < 1e-6));
        Assert.True(loss.Content > 0, "a different content image must cost content loss");
        Assert.Null(result.Summary.Style.StandardDeviation); // one image: no spread
        Assert.Null(JsonNode.Parse(File.ReadAllText(dir.File("eval.json")))!["summary"]!["style"]!["std"]);
    }

    [Fact]
    public void Evaluate_command_rejects_unequal_image_counts_as_a_user_error()
    {
        using var dir = new TempDir();
        string vgg = EvaluateCompareFixtures.WriteVgg(dir.Path);
        string a = EvaluateCompareFixtures.WriteImage(dir.Path, "a.png", 16, 16, seed: 2);
        var request = Request(dir, a, [a, a], [a], vgg);
        var error = Assert.Throws<FastStyleError>(() => EvaluateJob.Run(request));
        Assert.Contains("2 --content image(s) but 1 --stylized", error.Message);
        Assert.Equal(ExitCodes.UserError, Program.Main(["evaluate", "--style", a, "--content", a, a, "--stylized", a, "--vgg", vgg,
            "--loss", EvaluateCompareFixtures.WriteLossYaml(dir.Path)]));
        Assert.False(File.Exists(dir.File("eval.json")));
    }

    [Fact]
    public void Checkpoint_list_and_equivalence_rules()
    {
        Assert.Equal([50, 100, 300], CheckpointList.Parse("300, 50,100,50"));
        Assert.Throws<FastStyleError>(() => CheckpointList.Parse("50,0"));
        Assert.Throws<FastStyleError>(() => CheckpointList.Parse("50,x"));
        Assert.Equal(50, CheckpointList.SnapshotInterval([50, 100, 300, 500]));
        Assert.Equal(1, CheckpointList.SnapshotInterval([2, 5]));

        static IterationLoss At(int i, double total) => new(i, i * 0.5, new LossValues(total, 0, total, 0, new Dictionary<string, double>(), new Dictionary<string, double>()));
        IterationLoss[] history = [At(0, 1), At(1, 10), At(2, 6), At(3, 4), At(4, 3)];
        // Iteration 0 (the content image) is below the target but is no optimisation: not counted.
        var found = Equivalence.Find(history, networkTotal: 5, networkSeconds: 0.25);
        Assert.Equal(3, found.Iterations);
        Assert.Equal(1.5, found.Seconds);
        Assert.Equal(6, found.SpeedRatio);
        Assert.Equal(new Equivalence(null, null, null), Equivalence.Find(history, networkTotal: 2, networkSeconds: 0.25));
    }

    [Fact]
    public void Compare_writes_reports_grid_and_plot()
    {
        using var dir = new TempDir();
        string vgg = EvaluateCompareFixtures.WriteVgg(dir.Path);
        string lossYaml = EvaluateCompareFixtures.WriteLossYaml(dir.Path);
        string model = EvaluateCompareFixtures.WriteTinyModel(dir.Path);
        string style = EvaluateCompareFixtures.WriteImage(dir.Path, "style.png", 32, 32, seed: 1);
        string a = EvaluateCompareFixtures.WriteImage(dir.Path, "street.png", 40, 32, seed: 2);
        string b = EvaluateCompareFixtures.WriteImage(dir.Path, "portrait.png", 36, 24, seed: 3);
        string output = dir.File("cmp");

        int code = Program.Main(["compare", "--model", model, "--style", style, "--content", a, b, "--iterations", "2,4", "--size", "32",
            "--loss", lossYaml, "--vgg", vgg, "--seed", "7", "--output", output]);
        Assert.Equal(ExitCodes.Success, code);

        var report = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "report.json")))!;
        Assert.Equal(CompareReportJson.Format, (string)report["format"]!);
        Assert.True((bool)report["complete"]!);
        Assert.Equal("test", (string)report["model"]!["style_name"]!);
        Assert.Equal(0, (long)report["model"]!["training_steps"]!);
        Assert.Equal("0", (string)report["model"]!["config_hash"]!);
        Assert.Equal(FileHash.Sha256OfFile(model), (string)report["model"]!["sha256"]!);
        Assert.False((bool)report["style"]!["matches_model"]!);
        Assert.Equal(FileHash.Sha256OfFile(vgg), (string)report["vgg"]!["sha256"]!);
        var loss = EvaluateCompareFixtures.Loss(dir.Path);
        Assert.Equal(loss.Describe(), (string)report["loss_config"]!["text"]!);
        Assert.Equal(FileHash.Sha256OfText(loss.Describe()), (string)report["loss_config"]!["sha256"]!);
        Assert.Equal(32, (int)report["settings"]!["size"]!);
        Assert.Equal(7, (int)report["settings"]!["seed"]!);
        Assert.Equal([2, 4], report["settings"]!["checkpoints"]!.AsArray().Select(n => (int)n!).ToArray());
        foreach (var key in new[] { "torchsharp", "onnxruntime", "dotnet" })
            Assert.False(string.IsNullOrWhiteSpace((string?)report["versions"]![key]), $"version '{key}' missing");

        var images = report["images"]!.AsArray();
        Assert.Equal(2, images.Count);
        foreach (var image in images)
        {
            var network = image!["network"]!;
            double networkSeconds = (double)network["seconds"]!;
            double networkTotal = (double)network["loss"]!["total"]!;
            Assert.True(networkSeconds > 0);
            Assert.True(networkTotal > 0);
            Assert.True(File.Exists(Path.Combine(output, (string)network["image"]!)));
            Assert.True(File.Exists(Path.Combine(output, (string)image["content_image"]!)));

            var gatys = image["gatys"]!;
            var history = gatys["history"]!.AsArray();
            Assert.Equal(Enumerable.Range(0, 5), history.Select(h => (int)h!["iteration"]!));
            var checkpoints = gatys["checkpoints"]!.AsArray();
            Assert.Equal([2, 4], checkpoints.Select(c => (int)c!["iteration"]!).ToArray());
            foreach (var c in checkpoints)
            {
                Assert.True(File.Exists(Path.Combine(output, (string)c!["image"]!)));
                Assert.True((double)c["seconds"]! > 0);
                Assert.True((double)c["loss"]!["total"]! > 0);
            }

            // Equivalent iterations: the first iteration >= 1 at or below the network's loss, within the run.
            int? equivalent = (int?)image["equivalent_iterations"];
            int? expected = history.Skip(1).Select(h => (int?)(int)h!["iteration"]!)
                .FirstOrDefault(i => (double)history[i!.Value]!["total"]! <= networkTotal);
            Assert.Equal(expected, equivalent);
            if (equivalent is int n)
            {
                Assert.InRange(n, 1, 4);
                Assert.Equal((double)history[n]!["seconds"]! / networkSeconds, (double)image["speed_ratio"]!, 9);
            }
            else Assert.Null(image["speed_ratio"]);
        }
        Assert.Equal(2, (int)report["summary"]!["images"]!);
        Assert.True(report["summary"]!.AsObject().ContainsKey("mean_equivalent_iterations"));
        Assert.True(report["summary"]!.AsObject().ContainsKey("mean_speed_ratio"));

        string md = File.ReadAllText(Path.Combine(output, "report.md"));
        Assert.Contains($"![comparison grid]({CompareOutputLayout.Grid})", md);
        Assert.Contains("](images/01_street/gatys_0004.jpg)", md);
        Assert.Contains("| equivalent iterations |", md);
        string html = File.ReadAllText(Path.Combine(output, "report.html"));
        Assert.Contains("<img class=\"wide\" src=\"grid.jpg\"", html);
        Assert.Contains("src=\"images/02_portrait/network.jpg\"", html);

        // Grid: header + 2 rows; columns content | network | Gatys 2 | Gatys 4 | style, each cell 192 px tall.
        // street 40x32 -> 32x26 (cell width round(192*32/26) = 236); portrait 36x24 -> 32x21 (293); style 32x32 (192).
        const int gap = ComparisonGridLayout.Gap, cell = ComparisonGridLayout.CellHeight;
        Assert.Equal((32, 26), ((int)images[0]!["width"]!, (int)images[0]!["height"]!));
        Assert.Equal((32, 21), ((int)images[1]!["width"]!, (int)images[1]!["height"]!));
        int widest = Math.Max((int)Math.Round(cell * 32 / 26.0), (int)Math.Round(cell * 32 / 21.0));
        int expectedWidth = gap + 4 * (widest + gap) + (cell + gap);
        int expectedHeight = ComparisonGridLayout.HeaderHeight + 2 * (cell + gap);
        // The grid's bytes are in the format its name says (decoders sniff the content, so a PNG named .jpg would still load).
        byte[] gridBytes = File.ReadAllBytes(Path.Combine(output, CompareOutputLayout.Grid));
        Assert.Equal(".jpg", Path.GetExtension(CompareOutputLayout.Grid));
        Assert.Equal(new byte[] { 0xFF, 0xD8, 0xFF }, gridBytes[..3]); // JPEG start-of-image marker
        var grid = ImageFile.ReadInfo(Path.Combine(output, CompareOutputLayout.Grid));
        Assert.Equal((expectedWidth, expectedHeight), (grid.Width, grid.Height));
        Assert.Equal((1412, 432), (grid.Width, grid.Height));
        // The header labels were drawn (a typeface with glyphs was found): dark pixels above the first row.
        var pixels = ImageFile.Load(Path.Combine(output, CompareOutputLayout.Grid));
        int dark = 0;
        for (int y = 0; y < ComparisonGridLayout.HeaderHeight; y++)
            for (int x = 0; x < pixels.Width; x++)
                if (pixels.Pixels[y * pixels.Width + x] < 0.5f) dark++;
        Assert.True(dark > 50, $"header row has {dark} dark pixels: no label text drawn");

        Assert.True(new FileInfo(Path.Combine(output, "loss.png")).Length > 0);
        Assert.True(File.Exists(Path.Combine(output, CompareOutputLayout.StyleImage)));
    }
}
