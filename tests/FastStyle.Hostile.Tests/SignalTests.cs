using FastStyle.Data.Imaging;
using FastStyle.Training.Tests;
using FastStyle.Training.Runs;

namespace FastStyle.Hostile.Tests;

/// <summary>
/// Item 3 (and 13 end to end): SIGTERM and SIGINT stop long commands cleanly, in a child process as
/// `kill`, `timeout` or Ctrl+C would. These are the suite's explicit end-to-end tests (a few seconds each).
/// </summary>
public class SignalTests
{
    [Theory]
    [InlineData(CliProcess.SIGTERM, 143, "terminated")]
    [InlineData(CliProcess.SIGINT, 130, "interrupted")]
    public void Signal_during_training_checkpoints_the_last_finished_step(int signal, int exitCode, string word)
    {
        using var dir = new TempDir();
        string config = HostileFixtures.WriteTrainingSetup(dir.Path);
        string run = dir.File("run");
        using var child = new CliProcess(dir.Path, "train", config, "--max-steps", "100000", "-o", run, "--vgg", Fixtures.TinyVggPath);
        child.WaitForOutput(l => l.StartsWith("train ") && l.Contains("/100000"));
        child.Signal(signal);
        var result = child.WaitForExit();

        Assert.True(result.Code == exitCode, $"exit {result.Code}; stderr: {result.Stderr}");
        Assert.Contains(word, result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
        string checkpoint = Assert.Single(RunLayout.Checkpoints(run));
        var saved = Checkpoint.Load(checkpoint);
        Assert.True(saved.Step >= 1);
        Assert.Contains($"interrupted at step {saved.Step}", result.Stdout);
        var metricsSteps = File.ReadAllLines(Path.Combine(run, "metrics.csv")).Skip(1).Select(l => long.Parse(l.Split(',')[0])).ToList();
        Assert.Equal(saved.Step, metricsSteps.Max());
        Assert.Empty(Directory.EnumerateFiles(run, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void Sigterm_during_optimize_writes_the_current_image_and_exits_143()
    {
        using var dir = new TempDir();
        string content = Fixtures.WriteImage(dir.File("c.png"), 32, 32, 1);
        var before = Snapshot.Of(dir.Path);
        using var child = new CliProcess(dir.Path, "optimize", "-c", content, "-s", content, "-o", dir.File("out.png"),
            "--vgg", Fixtures.TinyVggPath, "--loss", Fixtures.WriteTinyLossYaml(dir.Path), "--size", "32", "--iterations", "100000");
        child.WaitForOutput(l => l.StartsWith("optimize ") && l.Contains("/100000"));
        child.Signal(CliProcess.SIGTERM);
        var result = child.WaitForExit();

        Assert.True(result.Code == 143, $"exit {result.Code}; stderr: {result.Stderr}");
        Assert.Equal(32, ImageFile.ReadInfo(dir.File("out.png")).Width);
        Assert.Equal(before["c.png"], Snapshot.Of(dir.Path)["c.png"]);
        Assert.Empty(Directory.EnumerateFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public void Sigterm_during_stylize_finishes_or_abandons_the_current_file_and_leaves_no_temp_file()
    {
        using var dir = new TempDir();
        string photos = HostileFixtures.WritePhotoFolder(dir.Path, Enumerable.Range(0, 40).Select(i => ($"p{i:D2}.png", 640, 480)).ToArray());
        string model = HostileFixtures.WriteTinyModel(dir.Path);
        var before = Snapshot.Of(photos);
        string output = dir.File("out");
        using var child = new CliProcess(dir.Path, "stylize", photos, "-o", output, "--model", model, "--tile", "200");
        child.WaitForOutput(l => l.StartsWith("stylize ") && l.Contains("/40"));
        child.Signal(CliProcess.SIGTERM);
        var result = child.WaitForExit();

        Assert.True(result.Code == 143, $"exit {result.Code}; stderr: {result.Stderr}");
        Assert.Contains("terminated", result.Stderr);
        Assert.DoesNotContain(Directory.EnumerateFiles(output, "*", SearchOption.AllDirectories), f => !f.EndsWith(".png"));
        foreach (var written in Directory.EnumerateFiles(output)) Assert.Equal(640, ImageFile.ReadInfo(written).Width); // complete files only
        Snapshot.AssertUnchanged(before, photos);
    }
}
