using FastStyle.Training.Runs;

namespace FastStyle.Training.Tests;

public class LearningRateScheduleTests
{
    [Fact]
    public void Constant_keeps_the_configured_rate_at_every_step()
    {
        var schedule = new LearningRateSchedule();
        Assert.All(new long[] { 1, 500, 1000 }, s => Assert.Equal(1e-3, schedule.At(s, 1e-3, 1000), 12));
    }

    [Fact]
    public void Cosine_starts_at_the_rate_halves_its_span_midway_and_ends_at_the_final_fraction()
    {
        var schedule = new LearningRateSchedule { Kind = ScheduleKind.Cosine, FinalFraction = 0.1 };
        Assert.Equal(1e-3, schedule.At(0, 1e-3, 1000), 12);
        Assert.Equal(0.55e-3, schedule.At(500, 1e-3, 1000), 12);
        Assert.Equal(0.1e-3, schedule.At(1000, 1e-3, 1000), 12);
        Assert.Equal(0.1e-3, schedule.At(1200, 1e-3, 1000), 12); // past the end (--max-steps beyond steps): stays at the floor
    }

    [Fact]
    public void Cosine_holds_the_rate_until_decay_start()
    {
        var schedule = new LearningRateSchedule { Kind = ScheduleKind.Cosine, DecayStart = 600, FinalFraction = 0 };
        Assert.Equal(1e-3, schedule.At(600, 1e-3, 1000), 12);
        Assert.Equal(0.5e-3, schedule.At(800, 1e-3, 1000), 12);
        Assert.Equal(0, schedule.At(1000, 1e-3, 1000), 12);
    }

    [Fact]
    public void Warm_up_rises_linearly_to_the_rate()
    {
        var schedule = new LearningRateSchedule { WarmupSteps = 100 };
        Assert.Equal(1e-5, schedule.At(1, 1e-3, 1000), 12);
        Assert.Equal(0.5e-3, schedule.At(50, 1e-3, 1000), 12);
        Assert.Equal(1e-3, schedule.At(101, 1e-3, 1000), 12);
    }

    [Fact]
    public void The_config_reads_the_schedule_section_and_rejects_unknown_kinds()
    {
        using var dir = new TempDir();
        string path = TrainerTests.WriteSetup(dir);
        var config = Runs.TrainingConfig.Load(path, ["lr_schedule.kind=cosine", "lr_schedule.decay_start=300", "lr_schedule.final_fraction=0.05"]);
        Assert.Equal(new LearningRateSchedule { Kind = ScheduleKind.Cosine, DecayStart = 300, FinalFraction = 0.05 }, config.LrSchedule);
        Assert.Contains("lr_schedule: cosine", config.ResolvedText);
        var error = Assert.Throws<Data.FastStyleError>(() => Runs.TrainingConfig.Load(path, ["lr_schedule.kind=linear"]));
        Assert.Contains("kind", error.Message);
    }
}

public class LossSpikeGuardTests
{
    static LossSpikeGuard Settled(double loss = 100)
    {
        var guard = new LossSpikeGuard();
        for (int i = 0; i < LossSpikeGuard.DefaultWarmupSteps; i++) Assert.True(guard.Accept(loss));
        return guard;
    }

    [Fact]
    public void Nothing_is_refused_while_the_loss_is_still_settling()
    {
        var guard = new LossSpikeGuard();
        Assert.True(guard.Accept(100));
        Assert.True(guard.Accept(10_000)); // early losses fall and jump by orders of magnitude
    }

    [Fact]
    public void A_batch_far_above_the_average_is_refused_and_does_not_move_the_average()
    {
        var guard = Settled();
        Assert.True(guard.Accept(300));
        double average = guard.Average;
        Assert.False(guard.Accept(100 * LossSpikeGuard.DefaultSkipFactor * 1.5));
        Assert.Equal(average, guard.Average);
    }

    [Fact]
    public void A_sustained_rise_since_the_checkpoint_is_divergence_and_a_rollback_resets_it()
    {
        var guard = Settled();
        guard.OnCheckpoint();
        Assert.False(guard.Diverged);
        // Each step under the skip threshold, yet the average climbs far above the checkpoint's.
        for (int i = 0; i < 200 && !guard.Diverged; i++) guard.Accept(guard.Average * 1.5);
        Assert.True(guard.Diverged);
        guard.OnRollback();
        Assert.False(guard.Diverged);
        Assert.Equal(100, guard.Average, 6);
    }
}
