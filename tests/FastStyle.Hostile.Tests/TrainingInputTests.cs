using FastStyle.Data;
using FastStyle.Training.Losses;
using FastStyle.Training.Tests;
using FastStyle.Training.Runs;

namespace FastStyle.Hostile.Tests;

/// <summary>Items 4, 9, 12, 14 (resume past --max-steps, banner) and 17: training inputs and resumed runs.</summary>
public class TrainingInputTests
{
    sealed class Warnings : ITrainingObserver
    {
        public List<string> Messages { get; } = [];
        public void OnWarning(string message) => Messages.Add(message);
    }

    static TrainResult Train(string config, string run, long steps, string? resume = null, ITrainingObserver? observer = null)
        => Trainer.Run(new TrainRequest { Config = TrainingConfig.Load(config), VggPath = Fixtures.TinyVggPath, OutputDirectory = run, MaxSteps = steps, ResumeFrom = resume }, observer);

    [Fact]
    public void Resume_after_a_kill_drops_metrics_rows_past_the_checkpoint_and_the_cut_line()
    {
        using var dir = new TempDir();
        string config = HostileFixtures.WriteTrainingSetup(dir.Path);
        string run = dir.File("r");
        var first = Train(config, run, 3);
        // What a SIGKILL after step 5 leaves: rows 4 and 5 past the step-3 checkpoint, and half a row.
        string metrics = Path.Combine(run, "metrics.csv");
        var rows = File.ReadAllLines(metrics);
        string row3 = rows[^1];
        File.AppendAllText(metrics, "4" + row3[1..] + "\n" + "5" + row3[1..] + "\n" + "6,0.12");

        Train(config, run, 4, resume: first.Checkpoint);

        var steps = File.ReadAllLines(metrics).Skip(1).Select(l => l.Split(',')[0]).ToList();
        Assert.Equal(["1", "2", "3", "4"], steps);
        Assert.EndsWith("\n", File.ReadAllText(metrics));
    }

    [Fact]
    public void Metrics_truncation_keeps_rows_up_to_the_checkpoint_step_exactly()
    {
        using var dir = new TempDir();
        var layout = new RunLayout(dir.Path);
        File.WriteAllText(layout.MetricsCsv, "step,seconds,images_per_second,total,content,style,tv,precision\n" +
            string.Concat(Enumerable.Range(1, 8).Select(i => $"{i},{i}.5,2,3,1,2,0,fp32\n")) + "9,9.5,2");
        using (new TrainingLog(layout, resumedAtStep: 6, "fp32")) { }
        Assert.Equal(["step", "1", "2", "3", "4", "5", "6"], File.ReadAllLines(layout.MetricsCsv).Select(l => l.Split(',')[0]));
    }

    [Fact]
    public void Resume_at_or_past_max_steps_is_one_line_not_a_contradiction()
    {
        using var dir = new TempDir();
        string config = HostileFixtures.WriteTrainingSetup(dir.Path);
        string run = dir.File("r");
        Assert.Equal(0, Cli.Run("train", config, "--max-steps", "2", "-o", run, "--vgg", Fixtures.TinyVggPath).Code);
        var before = Snapshot.Of(dir.Path);
        Cli.Run("train", config, "--max-steps", "1", "--resume", run, "--vgg", Fixtures.TinyVggPath)
            .AssertOneLineError(2, "already at step 2", "--max-steps");
        Snapshot.AssertUnchanged(before, dir.Path);
    }

    [Fact]
    public void Unreadable_first_dataset_file_is_skipped_as_a_sample_with_a_warning()
    {
        using var dir = new TempDir();
        string config = HostileFixtures.WriteTrainingSetup(dir.Path);
        // Sorted first, so it would be an automatic sample image.
        File.WriteAllText(Path.Combine(dir.Path, "images", "0000-broken.jpg"), "not a jpeg");
        var warnings = new Warnings();
        var result = Train(config, dir.File("r"), 1, observer: warnings);
        Assert.Equal(TrainOutcome.Completed, result.Outcome);
        Assert.Contains(warnings.Messages, m => m.Contains("0000-broken.jpg") && m.Contains("sample"));
    }

    [Fact]
    public void Batch_larger_than_a_tensor_can_index_is_a_config_error()
    {
        using var dir = new TempDir();
        string config = HostileFixtures.WriteTrainingSetup(dir.Path);
        var e = Assert.Throws<FastStyleError>(() => TrainingConfig.Load(config, ["batch_size=1024", "image_size=4096"]));
        Assert.Contains("batch_size 1024", e.Message);
        Assert.Contains("image_size 4096", e.Message);
        // And through the CLI: exit 2, one line.
        Cli.Run("train", config, "--set", "batch_size=1024", "--set", "image_size=4096").AssertOneLineError(2, "batch_size", "image_size");
    }

    [Fact]
    public void Training_config_as_loss_file_uses_training_defaults_not_gatys_defaults()
    {
        using var dir = new TempDir();
        // A loss: section that names only the layers: every weight must come from the training defaults.
        string config = HostileFixtures.WriteTrainingSetup(dir.Path).Replace("config.yaml", "partial.yaml");
        File.WriteAllText(config, "style_image: style.png\nloss:\n  style_layers: {relu1_1: 1}\n");
        var loss = LossConfigFile.Load(config);
        Assert.Equal(LossConfig.TrainingDefaults.ContentWeight, loss.ContentWeight);
        Assert.Equal(LossConfig.TrainingDefaults.StyleWeight, loss.StyleWeight);
        Assert.Equal(LossConfig.TrainingDefaults.ContentLayers, loss.ContentLayers);
        Assert.Equal(TrainingConfig.Load(config).Loss.Describe(), loss.Describe());
    }

    [Fact]
    public void Config_hash_does_not_depend_on_where_the_checkout_is()
    {
        using var a = new TempDir();
        using var b = new TempDir();
        var configA = TrainingConfig.Load(HostileFixtures.WriteTrainingSetup(a.Path, photos: 1));
        var configB = TrainingConfig.Load(HostileFixtures.WriteTrainingSetup(b.Path, photos: 1));
        Assert.NotEqual(configA.ResolvedText, configB.ResolvedText); // absolute paths, for humans
        Assert.Equal(configA.Hash, configB.Hash);
        Assert.NotEqual(configA.Hash, TrainingConfig.Load(HostileFixtures.WriteTrainingSetup(a.Path, photos: 1), ["seed=4"]).Hash);
    }

    [Fact]
    public void Network_is_described_with_config_keys_not_as_a_record()
    {
        using var dir = new TempDir();
        var config = TrainingConfig.Load(HostileFixtures.WriteTrainingSetup(dir.Path, photos: 1));
        Assert.Equal("base_channels 4, residual_blocks 1, upsample nearest", config.Architecture.ToString());
    }
}
