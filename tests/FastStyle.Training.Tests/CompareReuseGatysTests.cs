using System.Text.Json.Nodes;
using FastStyle.Cli;
using FastStyle.Data;
using FastStyle.Training.Evaluation;
using FastStyle.Training.Reporting;

namespace FastStyle.Training.Tests;

/// <summary>`compare --reuse-gatys`: an earlier compare's Gatys runs stand in for new ones only when every input they depend on matches.</summary>
public class CompareReuseGatysTests
{
    sealed record Inputs(string Vgg, string Loss, string Style, string Street, string Portrait, string Dir);

    static Inputs Write(TempDir dir) => new(
        EvaluateCompareFixtures.WriteVgg(dir.Path),
        EvaluateCompareFixtures.WriteLossYaml(dir.Path),
        EvaluateCompareFixtures.WriteImage(dir.Path, "style.png", 32, 32, seed: 1),
        EvaluateCompareFixtures.WriteImage(dir.Path, "street.png", 40, 32, seed: 2),
        EvaluateCompareFixtures.WriteImage(dir.Path, "portrait.png", 36, 24, seed: 3),
        dir.Path);

    static int Compare(Inputs i, string model, string output, int seed, string[] contents, string? reuse = null)
    {
        string[] args = ["compare", "--model", model, "--style", i.Style, "--content", .. contents, "--iterations", "2,4", "--size", "32",
            "--loss", i.Loss, "--vgg", i.Vgg, "--seed", seed.ToString(), "--output", output];
        return Program.Main(reuse == null ? args : [.. args, "--reuse-gatys", reuse]);
    }

    static JsonNode Report(string output) => JsonNode.Parse(File.ReadAllText(Path.Combine(output, CompareOutputLayout.ReportJson)))!;

    static JsonNode ImageFor(JsonNode report, string content) =>
        report["images"]!.AsArray().Single(i => (string)i!["content"]! == content)!;

    [Fact]
    public void Matching_inputs_reuse_the_earlier_optimisation_and_new_photos_are_optimised()
    {
        using var dir = new TempDir();
        var inputs = Write(dir);
        string firstModel = EvaluateCompareFixtures.WriteTinyModel(Directory.CreateDirectory(dir.File("m1")).FullName);
        string secondModel = EvaluateCompareFixtures.WriteTinyModel(Directory.CreateDirectory(dir.File("m2")).FullName);
        string earlier = dir.File("earlier"), later = dir.File("later");
        Assert.Equal(ExitCodes.Success, Compare(inputs, firstModel, earlier, seed: 7, [inputs.Street]));
        string extra = EvaluateCompareFixtures.WriteImage(dir.Path, "extra.png", 32, 28, seed: 4);
        Assert.Equal(ExitCodes.Success, Compare(inputs, secondModel, later, seed: 7, [extra, inputs.Street], reuse: earlier));

        var before = ImageFor(Report(earlier), inputs.Street);
        var reused = ImageFor(Report(later), inputs.Street);
        Assert.Equal(FileHash.Sha256OfFile(inputs.Street), (string)reused["content_sha256"]!);
        Assert.Contains(earlier, (string)reused["gatys"]!["reused_from"]!);
        // Wall times are per run: equal seconds at every iteration mean nothing was optimised again.
        Assert.Equal(before["gatys"]!["history"]!.ToJsonString(), reused["gatys"]!["history"]!.ToJsonString());
        var earlierCheckpoints = before["gatys"]!["checkpoints"]!.AsArray();
        var laterCheckpoints = reused["gatys"]!["checkpoints"]!.AsArray();
        Assert.Equal(earlierCheckpoints.Count, laterCheckpoints.Count);
        foreach (var (was, now) in earlierCheckpoints.Zip(laterCheckpoints))
        {
            // The image is copied into this run's layout (street is its second photo), losses and times as they were.
            Assert.Equal(was!["loss"]!.ToJsonString(), now!["loss"]!.ToJsonString());
            Assert.Equal((double)was["seconds"]!, (double)now["seconds"]!);
            Assert.Equal((double)was["optimizer_total"]!, (double)now["optimizer_total"]!);
            Assert.StartsWith("images/02_street/", (string)now["image"]!);
            Assert.Equal(File.ReadAllBytes(Path.Combine(earlier, (string)was["image"]!)), File.ReadAllBytes(Path.Combine(later, (string)now["image"]!)));
        }
        // The equivalence is this run's network against the reused curve.
        double network = (double)reused["network"]!["loss"]!["total"]!;
        var history = reused["gatys"]!["history"]!.AsArray();
        int? expected = history.Skip(1).Where(h => (double)h!["total"]! <= network).Select(h => (int?)(int)h!["iteration"]!).FirstOrDefault();
        Assert.Equal(expected, (int?)reused["equivalent_iterations"]);
        Assert.NotEqual((double)before["network"]!["loss"]!["total"]!, network);

        var fresh = ImageFor(Report(later), extra);
        Assert.Null(fresh["gatys"]!["reused_from"]);
        Assert.Equal(Enumerable.Range(0, 5), fresh["gatys"]!["history"]!.AsArray().Select(h => (int)h!["iteration"]!));
        Assert.Contains("Gatys reused for 1 of 2 image(s)", File.ReadAllText(Path.Combine(later, CompareOutputLayout.ReportMarkdown)));
    }

    [Fact]
    public void A_published_report_without_images_or_content_hashes_is_reused_for_its_numbers()
    {
        using var dir = new TempDir();
        var inputs = Write(dir);
        string model = EvaluateCompareFixtures.WriteTinyModel(dir.Path);
        string earlier = dir.File("earlier"), later = dir.File("later");
        Assert.Equal(ExitCodes.Success, Compare(inputs, model, earlier, seed: 7, [inputs.Street]));
        // As docs/compare keeps them: report.json and the grid only, written before content hashes were recorded.
        var report = Report(earlier);
        foreach (var image in report["images"]!.AsArray()) image!.AsObject().Remove("content_sha256");
        File.WriteAllText(Path.Combine(earlier, CompareOutputLayout.ReportJson), report.ToJsonString());
        foreach (var file in Directory.GetFiles(Path.Combine(earlier, "images"), "gatys_*.jpg", SearchOption.AllDirectories)) File.Delete(file);

        Assert.Equal(ExitCodes.Success, Compare(inputs, model, later, seed: 7, [inputs.Street], reuse: earlier));
        var reused = ImageFor(Report(later), inputs.Street);
        Assert.NotNull(reused["gatys"]!["reused_from"]);
        Assert.Equal(ImageFor(report, inputs.Street)["gatys"]!["history"]!.ToJsonString(), reused["gatys"]!["history"]!.ToJsonString());
        Assert.All(reused["gatys"]!["checkpoints"]!.AsArray(), c => Assert.Null(c!["image"]));
        Assert.Empty(Directory.GetFiles(Path.Combine(later, "images"), "gatys_*.jpg", SearchOption.AllDirectories));
        Assert.True(File.Exists(Path.Combine(later, CompareOutputLayout.Grid)));

        // A run that reused numbers only can itself be reused (its checkpoints have no image).
        string third = dir.File("third");
        Assert.Equal(ExitCodes.Success, Compare(inputs, model, third, seed: 7, [inputs.Street], reuse: later));
        Assert.Equal(reused["gatys"]!["history"]!.ToJsonString(), ImageFor(Report(third), inputs.Street)["gatys"]!["history"]!.ToJsonString());
    }

    [Fact]
    public void Another_seed_or_the_output_folder_itself_is_refused_as_a_user_error()
    {
        using var dir = new TempDir();
        var inputs = Write(dir);
        string model = EvaluateCompareFixtures.WriteTinyModel(dir.Path);
        string earlier = dir.File("earlier");
        Assert.Equal(ExitCodes.Success, Compare(inputs, model, earlier, seed: 7, [inputs.Portrait]));

        var request = new CompareRequest
        {
            ModelPath = model, StylePath = inputs.Style, ContentPaths = [inputs.Portrait], VggPath = inputs.Vgg, Size = 32,
            Iterations = [2, 4], Loss = EvaluateCompareFixtures.Loss(dir.Path), Seed = 8, OutputDirectory = dir.File("later"), ReuseGatysFrom = earlier,
        };
        var error = Assert.Throws<FastStyleError>(() => CompareJob.Run(request));
        Assert.Contains("settings seed 7, this compare 8", error.Message);
        Assert.Contains(earlier, error.Message);
        Assert.Equal(ExitCodes.UserError, Compare(inputs, model, dir.File("later2"), seed: 8, [inputs.Portrait], reuse: earlier));
        Assert.False(File.Exists(Path.Combine(dir.File("later2"), CompareOutputLayout.ReportJson)));

        var itself = Assert.Throws<FastStyleError>(() => CompareJob.Run(request with { Seed = 7, OutputDirectory = earlier }));
        Assert.Contains("is the --output folder itself", itself.Message);
        Assert.Equal(ExitCodes.UserError, Compare(inputs, model, dir.File("later3"), seed: 7, [inputs.Portrait], reuse: dir.File("nowhere")));
    }
}
