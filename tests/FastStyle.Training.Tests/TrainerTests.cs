using FastStyle.Data;
using FastStyle.Data.Imaging;
using FastStyle.Data.Weights;
using FastStyle.Training.Losses;
using FastStyle.Training.Networks;
using FastStyle.Training.Tensors;
using FastStyle.Training.Training;
using TorchSharp;
using Xunit.Abstractions;

namespace FastStyle.Training.Tests;

/// <summary>Trainer.Run on a tiny setup: 6 generated 48x48 photos, 32 px crops, batch 2, 4-channel network, random VGG.</summary>
public class TrainerTests(ITestOutputHelper output)
{
    sealed class Recorder : ITrainingObserver
    {
        public List<StepReport> Steps { get; } = [];
        public List<string> Warnings { get; } = [];
        public List<(string Path, long Step)> Checkpoints { get; } = [];
        public void OnStep(StepReport report) => Steps.Add(report);
        public void OnWarning(string message) => Warnings.Add(message);
        public void OnCheckpoint(string path, long step) => Checkpoints.Add((path, step));
    }

    /// <summary>Writes the images, the style and a config into <paramref name="dir"/>; extra YAML lines are appended.</summary>
    static string WriteSetup(TempDir dir, string extra = "", double learningRate = 0.01, string styleWeight = "1e5")
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

    static TrainResult Train(TrainingConfig config, string outputDir, long steps, string? resume = null, ITrainingObserver? observer = null)
        => Trainer.Run(new TrainRequest { Config = config, VggPath = Fixtures.TinyVggPath, OutputDirectory = outputDir, MaxSteps = steps, ResumeFrom = resume }, observer);

    [Fact]
    public void A_few_steps_lower_the_loss()
    {
        using var dir = new TempDir();
        var config = TrainingConfig.Load(WriteSetup(dir));
        Assert.Equal(4, config.Architecture.BaseChannels);
        Assert.Equal(1, config.Architecture.ResidualBlocks);
        var recorder = new Recorder();
        const int steps = 16;
        var result = Train(config, dir.File("run"), steps, observer: recorder);

        Assert.Equal(TrainOutcome.Completed, result.Outcome);
        Assert.Equal(steps, result.Step);
        Assert.Equal(Enumerable.Range(1, steps).Select(i => (long)i), recorder.Steps.Select(s => s.Step));
        var totals = recorder.Steps.Select(s => s.Loss.Total).ToArray();
        output.WriteLine("total:   " + string.Join(", ", totals.Select(t => t.ToString("G3"))));
        output.WriteLine("content: " + string.Join(", ", recorder.Steps.Select(s => s.Loss.Content.ToString("G3"))));
        output.WriteLine("style:   " + string.Join(", ", recorder.Steps.Select(s => s.Loss.Style.ToString("G3"))));
        double first = totals.Take(4).Average(), last = totals.TakeLast(4).Average();
        output.WriteLine($"mean of steps 1-4 {first:G4}, of the last 4 {last:G4}");
        Assert.True(last < 0.7 * first, $"mean loss of steps 1-4 {first:G4}, of the last 4 {last:G4}");

        // The same fixed batch through the initial network (the trainer seeds torch before building
        // it) and through the trained one: a noise-free before/after comparison.
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
        trained.LoadWeights(Checkpoint.Load(result.Checkpoint!).NetworkWeights, result.Checkpoint!);
        double before = Evaluate(initial), after = Evaluate(trained);
        output.WriteLine($"fixed batch: {before:G4} before, {after:G4} after");
        Assert.True(after < 0.5 * before, $"fixed-batch loss {before:G4} before training, {after:G4} after");

        // The run folder: final checkpoint, metrics CSV with one row per step (log_every 1), resolved config.
        var layout = new RunLayout(dir.File("run"));
        Assert.Equal(layout.CheckpointPath(steps), result.Checkpoint);
        Assert.Equal(1 + steps, File.ReadAllLines(layout.MetricsCsv).Length);
        Assert.Equal(config.ResolvedText, File.ReadAllText(layout.ResolvedConfig));
        Assert.Empty(recorder.Warnings);
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
    public void Checkpoint_stores_step_config_hash_schema_and_optimizer_state()
    {
        using var dir = new TempDir();
        var config = TrainingConfig.Load(WriteSetup(dir));
        var result = Train(config, dir.File("run"), 2);

        var raw = SafetensorsFile.Read(result.Checkpoint!);
        Assert.Equal("faststyle.checkpoint", raw.Metadata["format"]);
        Assert.Equal(Checkpoint.SchemaVersion, raw.Metadata["schema_version"]);
        Assert.Equal("2", raw.Metadata["step"]);

        var checkpoint = Checkpoint.Load(result.Checkpoint!);
        Assert.Equal(2, checkpoint.Step);
        Assert.Equal(config.Hash, checkpoint.ConfigHash);
        Assert.Equal(64, checkpoint.ConfigHash.Length);
        Assert.Equal(config.ResolvedText, checkpoint.ConfigText);
        Assert.Equal(config.Architecture, checkpoint.Architecture);
        Assert.Equal(3, checkpoint.Seed);
        Assert.Equal("style", checkpoint.StyleName);
        Assert.Equal(64, checkpoint.StyleImageSha256.Length);
        // 2 batches of 2 from 6 files: position (epoch 0, index 4).
        Assert.Equal((0, 4), (checkpoint.Epoch, checkpoint.IndexInEpoch));
        foreach (var name in checkpoint.NetworkWeights.Keys)
        {
            Assert.Contains("adam.m." + name, checkpoint.OptimizerState.Keys);
            Assert.Contains("adam.v." + name, checkpoint.OptimizerState.Keys);
        }
        Assert.Equal(2 * checkpoint.NetworkWeights.Count, checkpoint.OptimizerState.Count);
        Assert.Contains(checkpoint.OptimizerState.Values, t => t.Values.Any(v => v != 0));

        // A different config resumes with a warning naming both hashes; a different network is refused.
        var changed = TrainingConfig.Load(dir.File("config.yaml"), ["learning_rate=0.005"]);
        var recorder = new Recorder();
        Train(changed, dir.File("run"), 3, resume: result.Checkpoint, observer: recorder);
        var warning = Assert.Single(recorder.Warnings);
        Assert.Contains(config.Hash[..12], warning);
        Assert.Contains(changed.Hash[..12], warning);

        var wider = TrainingConfig.Load(dir.File("config.yaml"), ["network.width=0.25"]);
        var e = Assert.Throws<FastStyleError>(() => Train(wider, dir.File("run"), 3, resume: result.Checkpoint));
        Assert.Contains(result.Checkpoint!, e.Message);
        Assert.Contains("differs", e.Message);

        // Something that is not a checkpoint, and a future schema, are recognised as such.
        SafetensorsFile.Write(dir.File("other.safetensors"), [new TensorData("x", [1], [1f])]);
        Assert.Contains("not a FastStyle checkpoint", Assert.Throws<FastStyleError>(() => Checkpoint.Load(dir.File("other.safetensors"))).Message);
        var metadata = raw.Metadata.ToDictionary(kv => kv.Key, kv => kv.Value);
        metadata["schema_version"] = "99";
        SafetensorsFile.Write(dir.File("future.safetensors"), raw.Tensors.Values, metadata);
        Assert.Contains("schema version 99", Assert.Throws<FastStyleError>(() => Checkpoint.Load(dir.File("future.safetensors"))).Message);
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
