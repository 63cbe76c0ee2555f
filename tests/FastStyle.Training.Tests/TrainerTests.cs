using FastStyle.Data;
using FastStyle.Data.Imaging;
using FastStyle.Data.Weights;
using FastStyle.Training.Losses;
using FastStyle.Training.Networks;
using FastStyle.Training.Tensors;
using FastStyle.Training.Runs;
using TorchSharp;
using Xunit.Abstractions;

namespace FastStyle.Training.Tests;

/// <summary>A 16-step run of <see cref="TrainerTests"/>' tiny setup, trained once for the class.</summary>
public sealed class SixteenStepRun : IDisposable
{
    public const int Steps = 16;
    internal TempDir Dir { get; } = new();
    public TrainingConfig Config { get; }
    internal TrainerTests.Recorder Recorder { get; } = new();
    public TrainResult Result { get; }
    public string OutputDirectory => Dir.File("run");

    public SixteenStepRun()
    {
        Config = TrainingConfig.Load(TrainerTests.WriteSetup(Dir));
        Result = TrainerTests.Train(Config, OutputDirectory, Steps, observer: Recorder);
    }

    public void Dispose() => Dir.Dispose();
}

/// <summary>Trainer.Run on a tiny setup: 6 generated 48x48 photos, 32 px crops, batch 2, 4-channel network, random VGG.</summary>
public class TrainerTests(ITestOutputHelper output, SixteenStepRun run) : IClassFixture<SixteenStepRun>
{
    internal sealed class Recorder : ITrainingObserver
    {
        public List<StepReport> Steps { get; } = [];
        public List<string> Warnings { get; } = [];
        public List<(string Path, long Step)> Checkpoints { get; } = [];
        public List<string> VggScales { get; } = [];
        public List<(IReadOnlyList<string> Frozen, IReadOnlyList<string> Trained, long Parameters)> NormOnly { get; } = [];
        public void OnNormOnly(IReadOnlyList<string> frozenStyles, IReadOnlyList<string> trainedStyles, long trainedParameters)
            => NormOnly.Add((frozenStyles, trainedStyles, trainedParameters));
        public List<(IReadOnlyList<string> FromSource, IReadOnlyList<string> AtMeanRow)> StyleRows { get; } = [];
        public void OnStyleRows(IReadOnlyList<string> fromSource, IReadOnlyList<string> atMeanRow) => StyleRows.Add((fromSource, atMeanRow));
        public List<(StyleSampling Sampling, IReadOnlyList<(string Name, double Fraction)> Draws)> StyleDraws { get; } = [];
        public void OnStyleDraws(StyleSampling sampling, IReadOnlyList<(string Name, double Fraction)> draws) => StyleDraws.Add((sampling, draws));
        public void OnVggScale(string description) => VggScales.Add(description);
        public void OnStep(StepReport report) => Steps.Add(report);
        public void OnWarning(string message) => Warnings.Add(message);
        public void OnCheckpoint(string path, long step) => Checkpoints.Add((path, step));
    }

    /// <summary>Writes the images, the style and a config into <paramref name="dir"/>; extra YAML lines are appended.</summary>
    internal static string WriteSetup(TempDir dir, string extra = "", double learningRate = 0.01, string styleWeight = "1e5")
    {
        Directory.CreateDirectory(dir.File("images"));
        for (int i = 0; i < 6; i++) Fixtures.WriteImage(Path.Combine(dir.Path, "images", $"photo{i}.png"), 48, 48, seed: 100 + i);
        Fixtures.WriteImage(dir.File("style.png"), 32, 32, seed: 99);
        string config = $"""
            style_image: style.png
            dataset: images
            image_size: 32
            style_size: 32
            batch_size: 2
            learning_rate: {Fixtures.Invariant(learningRate)}
            steps: 1000
            seed: 3
            precision: fp32
            network: {"{"}width: 0.125, residual_blocks: 1{"}"}
            checkpoint_every: 1000
            sample_every: 0
            log_every: 1
            loss:
              network: vgg19
              content_layers: {"{"}relu2_2: 1{"}"}
              style_layers: {"{"}relu1_1: 0.5, relu2_1: 0.5{"}"}
              content_weight: 1
              style_weight: {styleWeight}
              tv_weight: 0
            {extra}
            """;
        string path = dir.File("config.yaml");
        File.WriteAllText(path, config);
        return path;
    }

    internal static TrainResult Train(TrainingConfig config, string outputDir, long steps, string? resume = null, ITrainingObserver? observer = null)
        => Trainer.Run(new TrainRequest { Config = config, VggPath = Fixtures.TinyVggPath, OutputDirectory = outputDir, MaxSteps = steps, ResumeFrom = resume }, observer);

    [Fact]
    public void Width_0_125_gives_4_base_channels()
    {
        using var dir = new TempDir();
        var config = TrainingConfig.Load(WriteSetup(dir));
        Assert.Equal(new Inference.TransformerArchitecture(BaseChannels: 4, ResidualBlocks: 1), config.Architecture);
    }

    [Fact]
    public void A_completed_run_reports_every_step_once_in_order_without_warnings()
    {
        Assert.Equal(TrainOutcome.Completed, run.Result.Outcome);
        Assert.Equal(SixteenStepRun.Steps, run.Result.Step);
        Assert.Equal(Enumerable.Range(1, SixteenStepRun.Steps).Select(i => (long)i), run.Recorder.Steps.Select(s => s.Step));
        Assert.Empty(run.Recorder.Warnings);
    }

    [Fact]
    public void The_run_reports_what_vgg_scale_auto_did_to_the_random_fixture_vgg()
    {
        // The default is auto; a random VGG is far from the Caffe scale, so it is rescaled per layer.
        var reported = Assert.Single(run.Recorder.VggScales);
        Assert.StartsWith("rescaled to Caffe scale: relu1_1 x", reported);
    }

    [Fact]
    public void The_reported_loss_falls_by_a_third_within_16_steps()
    {
        var totals = run.Recorder.Steps.Select(s => s.Loss.Total).ToArray();
        output.WriteLine("total:   " + string.Join(", ", totals.Select(t => t.ToString("G3"))));
        output.WriteLine("content: " + string.Join(", ", run.Recorder.Steps.Select(s => s.Loss.Content.ToString("G3"))));
        output.WriteLine("style:   " + string.Join(", ", run.Recorder.Steps.Select(s => s.Loss.Style.ToString("G3"))));
        double first = totals.Take(4).Average(), last = totals.TakeLast(4).Average();
        Assert.True(last < 0.7 * first, $"mean loss of steps 1-4 {first:G4}, of the last 4 {last:G4}");
    }

    [Fact]
    public void The_trained_network_halves_the_loss_of_a_fixed_batch_against_the_initial_one()
    {
        // The same fixed batch through the initial network (the trainer seeds torch before building
        // it) and through the trained one: a noise-free before/after comparison.
        var config = run.Config;
        using var scope = torch.NewDisposeScope();
        var loss = PerceptualLoss.Load(Fixtures.TinyVggPath, config.Loss);
        using var targets = loss.Targets(ImageTensors.ToTensor(ImageFile.Load(config.StyleImage, new ImageLoadOptions { LongestSide = 32 })), null);
        var batch = ImageTensors.ToTensor([Fixtures.SmoothImage(32, 32, 500), Fixtures.SmoothImage(32, 32, 501)]);
        double Evaluate(TransformerNet net)
        {
            using var _ = torch.no_grad();
            return loss.Compute(net.call(batch), targets.StyleGrams, loss.ContentFeatures(batch)).ToValues().Total;
        }
        torch.manual_seed(config.Seed);
        using var initial = new TransformerNet(config.Architecture);
        using var trained = new TransformerNet(config.Architecture);
        trained.LoadWeights(Checkpoint.Load(run.Result.Checkpoint!).NetworkWeights, run.Result.Checkpoint!);
        double before = Evaluate(initial), after = Evaluate(trained);
        Assert.True(after < 0.5 * before, $"fixed-batch loss {before:G4} before training, {after:G4} after");
    }

    [Fact]
    public void The_run_folder_holds_the_final_checkpoint_one_metrics_row_per_step_and_the_resolved_config()
    {
        var layout = new RunLayout(run.OutputDirectory);
        Assert.Equal(layout.CheckpointPath(SixteenStepRun.Steps), run.Result.Checkpoint);
        Assert.Equal(1 + SixteenStepRun.Steps, File.ReadAllLines(layout.MetricsCsv).Length); // header + log_every 1
        Assert.Equal("step,"u8.ToArray(), File.ReadAllBytes(layout.MetricsCsv)[..5]); // plain UTF-8, no byte-order mark
        Assert.Equal(run.Config.ResolvedText, File.ReadAllText(layout.ResolvedConfig));
    }

    [Fact]
    public void Resuming_from_a_checkpoint_matches_an_uninterrupted_run()
    {
        using var dir = new TempDir();
        var config = TrainingConfig.Load(WriteSetup(dir));

        var straight = Train(config, dir.File("straight"), 4);
        var half = Train(config, dir.File("resumed"), 2);
        Assert.Equal(2, half.Step);
        var resumed = Train(config, dir.File("resumed"), 4, resume: half.Checkpoint);
        Assert.Equal(4, resumed.Step);

        var a = Checkpoint.Load(straight.Checkpoint!);
        var b = Checkpoint.Load(resumed.Checkpoint!);
        Assert.Equal(4, a.Step);
        Assert.Equal(4, b.Step);
        Assert.Equal((a.Epoch, a.IndexInEpoch), (b.Epoch, b.IndexInEpoch));
        AssertSameTensors(a.NetworkWeights, b.NetworkWeights);
        AssertSameTensors(a.OptimizerState, b.OptimizerState);
        Assert.Equal(straight.LastLoss!.Total, resumed.LastLoss!.Total, 6);

        // ...and the weights did move between step 2 and step 4 (so the comparison means something).
        var mid = Checkpoint.Load(half.Checkpoint!);
        Assert.NotEqual(mid.NetworkWeights["conv1.conv.weight"].Values, a.NetworkWeights["conv1.conv.weight"].Values);

        // The resumed run's CSV continues the first half's.
        var csv = File.ReadAllLines(new RunLayout(dir.File("resumed")).MetricsCsv);
        Assert.Equal(new[] { "1", "2", "3", "4" }, csv.Skip(1).Select(l => l.Split(',')[0]));
    }

    [Fact]
    public void The_resumable_copy_holds_the_latest_step_with_bf16_moments_and_resumes()
    {
        using var dir = new TempDir();
        var config = TrainingConfig.Load(WriteSetup(dir), ["checkpoint_every=1"]);
        string copy = dir.File("parked.safetensors");
        var first = Trainer.Run(new TrainRequest { Config = config, VggPath = Fixtures.TinyVggPath, OutputDirectory = dir.File("run"), MaxSteps = 3, ResumableCopy = copy });

        var full = Checkpoint.Load(first.Checkpoint!);
        var parked = Checkpoint.Load(copy);
        Assert.Equal(3, parked.Step);
        AssertSameTensors(full.NetworkWeights, parked.NetworkWeights);
        foreach (var (name, moment) in full.OptimizerState)
            for (int i = 0; i < moment.Values.Length; i++)
                Assert.True(Math.Abs(parked.OptimizerState[name].Values[i] - moment.Values[i]) <= Math.Abs(moment.Values[i]) / 256 + 1e-30,
                    $"{name}[{i}]: {parked.OptimizerState[name].Values[i]} vs {moment.Values[i]} (beyond bf16 rounding)");
        // The moments are stored in bf16: the file is smaller than the full checkpoint.
        Assert.True(new FileInfo(copy).Length < new FileInfo(first.Checkpoint!).Length);

        var resumed = Train(config, dir.File("elsewhere"), 4, resume: copy);
        Assert.Equal(TrainOutcome.Completed, resumed.Outcome);
        Assert.Equal(4, resumed.Step);
    }

    [Fact]
    public void Init_from_starts_a_new_run_from_another_runs_weights()
    {
        using var dir = new TempDir();
        string configPath = WriteSetup(dir);
        var source = Train(TrainingConfig.Load(configPath), dir.File("source"), 2);
        // Learning rate 0: the one step of the new run leaves the weights where the warm start put them.
        var warm = TrainingConfig.Load(configPath, ["init_from=source", "learning_rate=0", "seed=7"]);
        var started = Train(warm, dir.File("warm"), 1);

        Assert.Equal(1, started.Step);
        AssertSameTensors(Checkpoint.Load(source.Checkpoint!).NetworkWeights, Checkpoint.Load(started.Checkpoint!).NetworkWeights);
    }

    [Fact]
    public void Init_from_a_different_architecture_is_refused_by_name()
    {
        using var dir = new TempDir();
        string configPath = WriteSetup(dir);
        Train(TrainingConfig.Load(configPath), dir.File("source"), 1);
        var wider = TrainingConfig.Load(configPath, ["init_from=source", "network.width=0.25"]);
        var error = Assert.Throws<FastStyleError>(() => Train(wider, dir.File("warm"), 1));
        Assert.Contains("init_from", error.Message);
        Assert.Contains("differs from the config", error.Message);
    }

    [Fact]
    public void Init_from_a_shallower_network_adds_blocks_that_start_as_the_identity_and_then_train()
    {
        using var dir = new TempDir();
        string configPath = WriteSetup(dir);
        var source = Checkpoint.Load(Train(TrainingConfig.Load(configPath), dir.File("source"), 2).Checkpoint!);
        // Learning rate 0: the deeper network's weights stay where init_from put them.
        var deeper = Checkpoint.Load(Train(TrainingConfig.Load(configPath, ["init_from=source", "network.residual_blocks=3", "learning_rate=0"]), dir.File("deeper"), 1).Checkpoint!);

        Assert.Equal(3, deeper.Architecture.ResidualBlocks);
        foreach (var (name, tensor) in source.NetworkWeights)
            Assert.Equal(tensor.Values, deeper.NetworkWeights[name].Values);
        foreach (string block in new[] { "res2", "res3" })
        {
            Assert.All(deeper.NetworkWeights[$"{block}.in2.weight"].Values.Concat(deeper.NetworkWeights[$"{block}.in2.bias"].Values), v => Assert.Equal(0f, v));
            Assert.Contains(deeper.NetworkWeights[$"{block}.conv2.conv.weight"].Values, v => v != 0);
        }
        // The deeper network computes what the source did.
        using var shallowNet = new TransformerNet(source.Architecture);
        using var deepNet = new TransformerNet(deeper.Architecture);
        shallowNet.LoadWeights(source.NetworkWeights, "source");
        deepNet.LoadWeights(deeper.NetworkWeights, "deeper");
        using var photo = ImageTensors.ToTensor([Fixtures.SmoothImage(32, 32, 7)]);
        using var expected = shallowNet.Stylize(photo);
        using var actual = deepNet.Stylize(photo);
        Assert.Equal(0.0, (actual - expected).abs().max().item<float>(), 6);

        // Training grows the new blocks from zero.
        var trained = Checkpoint.Load(Train(TrainingConfig.Load(configPath, ["init_from=source", "network.residual_blocks=3"]), dir.File("trained"), 2).Checkpoint!);
        Assert.Contains(trained.NetworkWeights["res3.in2.weight"].Values, v => v != 0);
    }

    static void AssertSameTensors(IReadOnlyDictionary<string, TensorData> expected, IReadOnlyDictionary<string, TensorData> actual)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, e) in expected)
        {
            var a = actual[name];
            Assert.Equal(e.Shape, a.Shape);
            double worst = 0;
            for (int i = 0; i < e.Values.Length; i++) worst = Math.Max(worst, Math.Abs(e.Values[i] - a.Values[i]));
            Assert.True(worst <= 1e-6, $"tensor '{name}' differs by up to {worst}");
        }
    }

    [Fact]
    public void Each_step_runs_at_the_scheduled_learning_rate_and_a_resume_continues_the_curve()
    {
        using var dir = new TempDir();
        var config = TrainingConfig.Load(WriteSetup(dir), ["steps=8", "lr_schedule.kind=cosine", "lr_schedule.warmup_steps=2", "lr_schedule.final_fraction=0"]);
        var recorder = new Recorder();
        var half = Train(config, dir.File("run"), 4, observer: recorder);
        Train(config, dir.File("run"), 8, resume: half.Checkpoint, observer: recorder);
        var expected = Enumerable.Range(1, 8).Select(s => config.LrSchedule.At(s, config.LearningRate, 8));
        Assert.Equal(expected, recorder.Steps.Select(s => s.LearningRate));
        Assert.Equal(0, recorder.Steps[^1].LearningRate, 12);
    }

    [Fact]
    public void A_runaway_loss_rolls_back_to_the_last_checkpoint_at_half_the_rate_and_stops_after_three_tries()
    {
        using var dir = new TempDir();
        var config = TrainingConfig.Load(WriteSetup(dir), ["checkpoint_every=3"]);
        var recorder = new Recorder();
        // A guard that calls any step after a checkpoint a divergence: the rollback path, deterministically.
        var result = Trainer.Run(new TrainRequest
        {
            Config = config, VggPath = Fixtures.TinyVggPath, OutputDirectory = dir.File("run"), MaxSteps = 10,
            NewSpikeGuard = () => new LossSpikeGuard(rollbackFactor: 0, warmupSteps: 1),
        }, recorder);

        Assert.Equal(TrainOutcome.Diverged, result.Outcome);
        Assert.Contains("after 3 rollbacks", result.Message);
        var rollbacks = recorder.Warnings.Where(w => w.Contains("rolled back to") && w.Contains("(step 3)")).ToList();
        Assert.Equal(Trainer.MaxRollbacks, rollbacks.Count);
        // Steps 1-3 at the configured rate; each rollback halves the rate of the steps after it.
        Assert.Equal(new[] { 1.0, 1.0, 1.0, 1.0, 0.5, 0.25 }, recorder.Steps.Select(s => s.LearningRate / config.LearningRate));
        // Step 6's checkpoint (after the third rollback) records the halved rate, so a resume keeps it.
        Assert.Equal(new RunLayout(dir.File("run")).CheckpointPath(6), result.Checkpoint);
        Assert.Equal(0.125, Checkpoint.Load(result.Checkpoint!).LearningRateBackoff);
    }

    [Fact]
    public void A_non_finite_loss_stops_with_Diverged()
    {
        // style_weight 1e300 makes the float32 loss infinite on the first step: deterministic divergence.
        using var dir = new TempDir();
        var config = TrainingConfig.Load(WriteSetup(dir, styleWeight: "1e300"));
        var result = Train(config, dir.File("run"), 5);
        Assert.Equal(TrainOutcome.Diverged, result.Outcome);
        Assert.Equal(0, result.Step);
        Assert.Null(result.Checkpoint);
        Assert.Contains("step 1", result.Message);
        Assert.Contains("learning_rate", result.Message);
        Assert.Contains("(none yet)", result.Message);
    }

    public static TheoryData<string, string, string[]> BadConfigs => new()
    {
        // name, extra YAML (appended after line 20, the last line of the base config), expected message parts
        { "unknown key", "stlye_weight: 3", ["line 21", "unknown key 'stlye_weight'"] },
        { "unknown key after a valid one", "sample_size: 64\nstyle_wieght: 3", ["line 22", "unknown key 'style_wieght'"] },
        { "malformed", "image_size: [32", ["line", "malformed YAML"] },
    };

    [Theory]
    [MemberData(nameof(BadConfigs))]
    public void Bad_config_errors_name_the_key_and_line(string name, string extra, string[] expected)
    {
        using var dir = new TempDir();
        string path = WriteSetup(dir, extra);
        var e = Assert.Throws<FastStyleError>(() => TrainingConfig.Load(path));
        output.WriteLine($"{name}: {e.Message}");
        Assert.Contains(path, e.Message);
        foreach (var part in expected) Assert.Contains(part, e.Message);
    }

    [Fact]
    public void Wrong_type_names_the_key_the_line_and_the_value()
    {
        using var dir = new TempDir();
        string path = WriteSetup(dir);
        File.WriteAllText(path, File.ReadAllText(path).Replace("image_size: 32", "image_size: abc"));
        var e = Assert.Throws<FastStyleError>(() => TrainingConfig.Load(path));
        Assert.Contains("line 3", e.Message);
        Assert.Contains("'image_size' must be an integer", e.Message);
        Assert.Contains("'abc'", e.Message);
    }

    [Fact]
    public void Unknown_key_inside_a_section_is_qualified()
    {
        using var dir = new TempDir();
        string path = WriteSetup(dir);
        File.WriteAllText(path, File.ReadAllText(path).Replace("  tv_weight: 0", "  tv_wieght: 0"));
        var e = Assert.Throws<FastStyleError>(() => TrainingConfig.Load(path));
        Assert.Contains("line 20", e.Message);
        Assert.Contains("unknown key 'loss.tv_wieght'", e.Message);
        Assert.Contains("loss.tv_weight", e.Message); // the known keys are listed
    }

    [Fact]
    public void Unknown_loss_layer_is_named_with_the_available_layers()
    {
        using var dir = new TempDir();
        string path = WriteSetup(dir);
        File.WriteAllText(path, File.ReadAllText(path).Replace("relu2_1: 0.5", "relu9_1: 0.5"));
        var e = Assert.Throws<FastStyleError>(() => TrainingConfig.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("'relu9_1'", e.Message);
        Assert.Contains("relu1_1, relu1_2", e.Message);
        int line = File.ReadAllLines(path).ToList().FindIndex(l => l.Contains("relu9_1")) + 1;
        Assert.Contains($"line {line}:", e.Message);
    }

    [Fact]
    public void Set_overrides_are_validated_like_the_file()
    {
        using var dir = new TempDir();
        string path = WriteSetup(dir);
        Assert.Equal(64, TrainingConfig.Load(path, ["image_size=64"]).ImageSize);
        Assert.Equal(5.0, TrainingConfig.Load(path, ["loss.style_weight=5"]).Loss.StyleWeight);
        // The value comes from --set, not from the file: no (misleading) file line number.
        var e = Assert.Throws<FastStyleError>(() => TrainingConfig.Load(path, ["batch_size=two"]));
        Assert.Contains("'batch_size' must be an integer, got 'two'", e.Message);
        Assert.Contains("(from --set)", e.Message);
        Assert.DoesNotContain("line", e.Message);
        var e2 = Assert.Throws<FastStyleError>(() => TrainingConfig.Load(path, ["loss.stlye_weight=5"]));
        Assert.Contains("unknown key 'loss.stlye_weight'", e2.Message);
        Assert.Contains("(from --set)", e2.Message);
        Assert.DoesNotContain("line", e2.Message);
    }
}
