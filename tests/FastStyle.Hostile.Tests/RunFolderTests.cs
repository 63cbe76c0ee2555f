using FastStyle.Training.Tests;
using FastStyle.Training.Runs;

namespace FastStyle.Hostile.Tests;

/// <summary>Items 1 and 8: a run folder belongs to one run; checkpoints are ordered by step number; a bad -o is one line.</summary>
public class RunFolderTests
{
    static CliRun Train(string config, string run, int steps, params string[] extra)
        => Cli.Run(["train", config, "--max-steps", steps.ToString(), "-o", run, "--vgg", Fixtures.TinyVggPath, .. extra]);

    [Fact]
    public void Second_run_into_the_same_folder_is_refused_and_the_first_run_is_untouched()
    {
        using var dir = new TempDir();
        string config = HostileFixtures.WriteTrainingSetup(dir.Path, checkpointEvery: 2);
        string run = dir.File("r");
        var first = Train(config, run, 4);
        Assert.True(first.Code == 0, first.Stderr);
        var before = Snapshot.Of(dir.Path);

        Train(config, run, 1).AssertOneLineError(2, "already holds a run", "--resume", "--force-new");

        Snapshot.AssertUnchanged(before, dir.Path);
    }

    [Fact]
    public void Force_new_replaces_the_previous_run_and_resume_continues_in_its_own_folder()
    {
        using var dir = new TempDir();
        string config = HostileFixtures.WriteTrainingSetup(dir.Path, checkpointEvery: 2);
        string run = dir.File("r");
        Assert.Equal(0, Train(config, run, 4).Code);

        Assert.Equal(0, Train(config, run, 1, "--force-new").Code);
        Assert.Equal(["step-000001.safetensors"], RunLayout.Checkpoints(run).Select(Path.GetFileName));
        Assert.Equal(2, File.ReadAllLines(Path.Combine(run, "metrics.csv")).Length); // header + step 1

        // --resume RUN without -o writes into RUN, not into runs/<style>.
        var resumed = Cli.Run("train", config, "--max-steps", "3", "--resume", run, "--vgg", Fixtures.TinyVggPath);
        Assert.Equal(0, resumed.Code);
        Assert.Contains("step 3: checkpoint", resumed.Stdout); // printed, not swallowed by the progress display
        Assert.Equal(3, RunLayout.StepOf(RunLayout.LatestCheckpoint(run)!));
        Assert.False(Directory.Exists(dir.File("runs")));
    }

    [Fact]
    public void Checkpoints_are_ordered_and_pruned_by_step_number_not_file_name()
    {
        using var dir = new TempDir();
        var layout = new RunLayout(dir.Path);
        Directory.CreateDirectory(layout.CheckpointDirectory);
        foreach (long step in new long[] { 999_998, 999_999, 1_000_000 }) File.WriteAllText(layout.CheckpointPath(step), "");

        Assert.Equal(layout.CheckpointPath(1_000_000), RunLayout.LatestCheckpoint(dir.Path));
        layout.PruneCheckpoints(keep: 2, current: layout.CheckpointPath(1_000_000));
        Assert.Equal([999_999L, 1_000_000L], RunLayout.Checkpoints(dir.Path).Select(p => RunLayout.StepOf(p)!.Value));
    }

    [Fact]
    public void Resume_into_a_folder_holding_a_run_needs_a_checkpoint_of_that_run_at_least_as_new()
    {
        using var dir = new TempDir();
        var layout = new RunLayout(dir.File("run"));
        Directory.CreateDirectory(layout.CheckpointDirectory);
        File.WriteAllText(layout.CheckpointPath(4), "");
        var other = new RunLayout(dir.File("other"));
        Directory.CreateDirectory(other.CheckpointDirectory);
        File.WriteAllText(other.CheckpointPath(9), "");

        layout.Prepare(ExistingRun.Resume, layout.CheckpointPath(4), 4);                 // its own newest
        layout.Prepare(ExistingRun.Resume, dir.File("copy.safetensors"), 4);             // a --resumable-copy as new
        Assert.Contains("after step 2", Assert.Throws<FastStyle.Data.FastStyleError>(
            () => layout.Prepare(ExistingRun.Resume, dir.File("copy.safetensors"), 2)).Message);
        Assert.Contains("holds another run", Assert.Throws<FastStyle.Data.FastStyleError>(
            () => layout.Prepare(ExistingRun.Resume, other.CheckpointPath(9), 9)).Message);
        Assert.True(File.Exists(layout.CheckpointPath(4)));
    }

    [Fact]
    public void Keep_checkpoints_sets_how_many_step_checkpoints_stay_and_zero_keeps_every_one()
    {
        using var dir = new TempDir();
        string config = HostileFixtures.WriteTrainingSetup(dir.Path, checkpointEvery: 1);
        Assert.Equal(0, Train(config, dir.File("all"), 5, "--keep-checkpoints", "0").Code);
        Assert.Equal([1L, 2L, 3L, 4L, 5L], RunLayout.Checkpoints(dir.File("all")).Select(p => RunLayout.StepOf(p)!.Value));
        Assert.Equal(0, Train(config, dir.File("two"), 5, "--keep-checkpoints", "2").Code);
        Assert.Equal([4L, 5L], RunLayout.Checkpoints(dir.File("two")).Select(p => RunLayout.StepOf(p)!.Value));
        Train(config, dir.File("bad"), 1, "--keep-checkpoints", "-1").AssertOneLineError(2, "--keep-checkpoints");
    }

    [Fact]
    public void Pruning_never_deletes_the_checkpoint_just_written()
    {
        using var dir = new TempDir();
        var layout = new RunLayout(dir.Path);
        Directory.CreateDirectory(layout.CheckpointDirectory);
        foreach (long step in new long[] { 5, 6, 7 }) File.WriteAllText(layout.CheckpointPath(step), "");
        layout.PruneCheckpoints(keep: 1, current: layout.CheckpointPath(5));
        Assert.True(File.Exists(layout.CheckpointPath(5)));
        Assert.True(File.Exists(layout.CheckpointPath(7)));
        Assert.False(File.Exists(layout.CheckpointPath(6)));
    }

    [Fact]
    public void Output_that_is_an_existing_file_is_one_line_and_the_file_is_untouched()
    {
        using var dir = new TempDir();
        string config = HostileFixtures.WriteTrainingSetup(dir.Path);
        File.WriteAllText(dir.File("notes.txt"), "keep me");
        var before = Snapshot.Of(dir.Path);
        Train(config, dir.File("notes.txt"), 1).AssertOneLineError(2, "notes.txt", "is a file");
        Snapshot.AssertUnchanged(before, dir.Path);
    }

    [Fact]
    public void Output_below_a_file_is_one_line_not_an_IOException()
    {
        using var dir = new TempDir();
        string config = HostileFixtures.WriteTrainingSetup(dir.Path);
        File.WriteAllText(dir.File("notes.txt"), "keep me");
        var before = Snapshot.Of(dir.Path);
        Train(config, Path.Combine(dir.File("notes.txt"), "run"), 1).AssertOneLineError(2, "notes.txt", "cannot");
        Snapshot.AssertUnchanged(before, dir.Path);
    }
}
