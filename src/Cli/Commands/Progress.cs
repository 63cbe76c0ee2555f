using Spectre.Console;

namespace FastStyle.Cli.Commands;

/// <summary>A Spectre.Console progress bar around long work; plain periodic lines when output is redirected.</summary>
public static class Progress
{
    /// <summary>Runs <paramref name="work"/>, which reports (completed steps, status text).</summary>
    public static T Run<T>(string title, int total, Func<Action<int, string>, T> work)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive || Console.IsErrorRedirected || Console.IsOutputRedirected)
        {
            var last = DateTime.MinValue;
            return work((done, status) =>
            {
                if (done == total || DateTime.UtcNow - last > TimeSpan.FromSeconds(5))
                {
                    last = DateTime.UtcNow;
                    Console.WriteLine($"{title}: {done}/{total}  {status}");
                }
            });
        }
        T result = default!;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(title), maxValue: total);
                result = work((done, status) =>
                {
                    task.Value = done;
                    task.Description = Markup.Escape($"{title}  {status}");
                });
            });
        return result;
    }
}
