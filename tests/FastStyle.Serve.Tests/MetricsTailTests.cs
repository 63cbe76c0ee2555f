namespace FastStyle.Serve.Tests;

/// <summary><see cref="MetricsTail"/> on a file written by hand, as the trainer appends, resumes and restarts.</summary>
public sealed class MetricsTailTests : IDisposable
{
    readonly string path = Path.Combine(Path.GetTempPath(), $"faststyle-tail-{Guid.NewGuid():N}.csv");

    [Fact]
    public void A_half_written_row_waits_for_its_newline()
    {
        File.WriteAllText(path, "step,total\n10,5");
        var tail = new MetricsTail(path);
        Assert.Empty(tail.Poll().Rows);

        File.AppendAllText(path, ".5\n");
        Assert.Equal([10, 5.5], tail.Poll().Rows.Single());
    }

    [Fact]
    public void Text_and_non_finite_cells_are_null()
    {
        File.WriteAllText(path, "step,total,precision\n10,NaN,fp32\n");
        Assert.Equal([10, null, null], new MetricsTail(path).Poll().Rows.Single());
    }

    [Fact]
    public void A_truncated_file_is_read_again_from_the_start()
    {
        File.WriteAllText(path, "step,total\n10,5\n20,4\n30,3\n");
        var tail = new MetricsTail(path);
        tail.Poll();

        File.WriteAllText(path, "step,total\n10,5\n");   // resume dropped the rows after its checkpoint
        var update = tail.Poll();

        Assert.True(update.Reset);
        Assert.Equal(["step", "total"], update.Header!);
        Assert.Equal([10, 5.0], update.Rows.Single());
    }

    public void Dispose() => File.Delete(path);
}
