using FastStyle.Data;
using FastStyle.Data.Weights;
using FastStyle.Training.Runs;

namespace FastStyle.Training.Tests;

/// <summary>A checkpoint written by a 2-step run of <see cref="TrainerTests"/>' tiny setup (trained once for the class).</summary>
public sealed class TwoStepRun : IDisposable
{
    internal TempDir Dir { get; } = new();
    public TrainingConfig Config { get; }
    public string CheckpointPath { get; }

    public TwoStepRun()
    {
        Config = TrainingConfig.Load(TrainerTests.WriteSetup(Dir));
        CheckpointPath = TrainerTests.Train(Config, Dir.File("run"), 2).Checkpoint!;
    }

    public void Dispose() => Dir.Dispose();
}

/// <summary>What a training checkpoint stores, and how resuming from one treats a changed config or network.</summary>
public class CheckpointTests(TwoStepRun run) : IClassFixture<TwoStepRun>
{
    [Fact]
    public void Metadata_names_the_format_schema_version_and_step()
    {
        var raw = SafetensorsFile.Read(run.CheckpointPath);
        Assert.Equal("faststyle.checkpoint", raw.Metadata["format"]);
        Assert.Equal(Checkpoint.SchemaVersion, raw.Metadata["schema_version"]);
        Assert.Equal("2", raw.Metadata["step"]);
    }

    [Fact]
    public void Loading_returns_the_step_config_text_and_hash_architecture_seed_and_style()
    {
        var checkpoint = Checkpoint.Load(run.CheckpointPath);
        Assert.Equal(2, checkpoint.Step);
        Assert.Equal(run.Config.ResolvedText, checkpoint.ConfigText);
        Assert.Equal(run.Config.Hash, checkpoint.ConfigHash);
        Assert.Equal(64, checkpoint.ConfigHash.Length);
        Assert.Equal(run.Config.Architecture, checkpoint.Architecture);
        Assert.Equal(3, checkpoint.Seed);
        Assert.Equal("style", checkpoint.StyleName);
        Assert.Equal(64, checkpoint.StyleImageSha256.Length);
    }

    [Fact]
    public void Data_position_is_just_after_the_batches_consumed()
    {
        // 2 batches of 2 from 6 files: epoch 0, index 4.
        var checkpoint = Checkpoint.Load(run.CheckpointPath);
        Assert.Equal((0, 4), (checkpoint.Epoch, checkpoint.IndexInEpoch));
    }

    [Fact]
    public void Both_Adam_moments_of_every_weight_are_stored()
    {
        var checkpoint = Checkpoint.Load(run.CheckpointPath);
        var expected = checkpoint.NetworkWeights.Keys.SelectMany(name => new[] { "adam.m." + name, "adam.v." + name });
        Assert.Equal(expected.Order(StringComparer.Ordinal), checkpoint.OptimizerState.Keys.Order(StringComparer.Ordinal));
        Assert.Contains(checkpoint.OptimizerState.Values, t => t.Values.Any(v => v != 0));
    }

    [Fact]
    public void Resuming_with_a_changed_config_warns_with_both_hashes()
    {
        var changed = TrainingConfig.Load(run.Dir.File("config.yaml"), ["learning_rate=0.005"]);
        var recorder = new TrainerTests.Recorder();
        TrainerTests.Train(changed, run.Dir.File("changed"), 3, resume: run.CheckpointPath, observer: recorder);
        var warning = Assert.Single(recorder.Warnings);
        Assert.Contains(run.Config.Hash[..12], warning);
        Assert.Contains(changed.Hash[..12], warning);
    }

    [Fact]
    public void Resuming_with_a_different_network_is_refused_naming_the_checkpoint()
    {
        var wider = TrainingConfig.Load(run.Dir.File("config.yaml"), ["network.width=0.25"]);
        var e = Assert.Throws<FastStyleError>(() => TrainerTests.Train(wider, run.Dir.File("wider"), 3, resume: run.CheckpointPath));
        Assert.Contains(run.CheckpointPath, e.Message);
        Assert.Contains("differs", e.Message);
    }

    [Fact]
    public void A_safetensors_file_without_checkpoint_metadata_is_not_a_FastStyle_checkpoint()
    {
        string path = run.Dir.File("other.safetensors");
        SafetensorsFile.Write(path, [new TensorData("x", [1], [1f])]);
        Assert.Contains("not a FastStyle checkpoint", Assert.Throws<FastStyleError>(() => Checkpoint.Load(path)).Message);
    }

    [Fact]
    public void A_newer_schema_version_is_refused_by_number()
    {
        var raw = SafetensorsFile.Read(run.CheckpointPath);
        var metadata = raw.Metadata.ToDictionary(kv => kv.Key, kv => kv.Value);
        metadata["schema_version"] = "99";
        string path = run.Dir.File("future.safetensors");
        SafetensorsFile.Write(path, raw.Tensors.Values, metadata);
        Assert.Contains("schema version 99", Assert.Throws<FastStyleError>(() => Checkpoint.Load(path)).Message);
    }

    [Theory]
    [InlineData(null, 1.0)]   // checkpoints from before the spike guard
    [InlineData("0.25", 0.25)]
    public void The_learning_rate_backoff_is_read_with_one_for_older_files(string? stored, double expected)
    {
        var raw = SafetensorsFile.Read(run.CheckpointPath);
        var metadata = raw.Metadata.ToDictionary(kv => kv.Key, kv => kv.Value);
        metadata.Remove("lr_backoff");
        if (stored != null) metadata["lr_backoff"] = stored;
        string path = run.Dir.File($"backoff-{stored ?? "none"}.safetensors");
        SafetensorsFile.Write(path, raw.Tensors.Values, metadata);
        Assert.Equal(expected, Checkpoint.Load(path).LearningRateBackoff);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("2")]
    [InlineData("half")]
    public void A_learning_rate_backoff_outside_0_to_1_is_refused_by_key(string stored)
    {
        var raw = SafetensorsFile.Read(run.CheckpointPath);
        var metadata = raw.Metadata.ToDictionary(kv => kv.Key, kv => kv.Value);
        metadata["lr_backoff"] = stored;
        string path = run.Dir.File($"bad-backoff-{stored}.safetensors");
        SafetensorsFile.Write(path, raw.Tensors.Values, metadata);
        Assert.Contains("'lr_backoff'", Assert.Throws<FastStyleError>(() => Checkpoint.Load(path)).Message);
    }
}
