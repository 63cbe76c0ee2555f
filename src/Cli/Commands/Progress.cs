using Spectre.Console;

namespace FastStyle.Cli.Commands;

/// <summary>A Spectre.Console progress bar around long work; plain periodic lines when output is redirected.</summary>
public static class Progress
{
    static bool Plain => !AnsiConsole.Profile.Capabilities.Interactive || Console.IsErrorRedirected || Console.IsOutputRedirected;

    /// <summary>
    /// A line of output while a bar may be showing: through Spectre, which prints it above the live
    /// bar (a plain Console.WriteLine is overwritten by the bar's next redraw).
    /// </summary>
    public static void Line(string text)
    {
        if (Plain) Console.WriteLine(text);
        else AnsiConsole.WriteLine(text);
    }

    /// <summary>Runs <paramref name="work"/>, which reports (completed steps, status text).</summary>
    public static T Run<T>(string title, int total, Func<Action<int, string>, T> work)
    {
        if (Plain)
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
