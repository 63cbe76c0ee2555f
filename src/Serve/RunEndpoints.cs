using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace FastStyle.Serve;

/// <summary>
/// The Watch and Compare tabs: run folders (holding metrics.csv) and compare reports (holding
/// report.html) found under --runs, a run's metrics as server-sent events that follow the file while
/// training appends to it, its samples and resolved config, and any file under --runs by relative
/// path (<see cref="SafePath"/>).
/// </summary>
static partial class RunEndpoints
{
    const string MetricsFile = "metrics.csv", ReportFile = "report.html", ConfigFile = "config.resolved.txt", SampleFolder = "samples";
    /// <summary>How deep run and report folders are looked for (runs/style/ablation/run is depth 3).</summary>
    const int SearchDepth = 4;

    [GeneratedRegex(@"^step-(\d+)-(.+)\.(jpg|jpeg|png)$", RegexOptions.IgnoreCase)]
    private static partial Regex SampleName();

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/runs", (ServeOptions o) => Results.Json(FoldersHolding(o.RunsDirectory, MetricsFile)));
        endpoints.MapGet("/api/reports", (ServeOptions o) => Results.Json(FoldersHolding(o.RunsDirectory, ReportFile)));
        endpoints.MapGet("/api/run/samples", (string? run, ServeOptions o) => Results.Json(Samples(o.RunsDirectory, RunFolder(o, run))));
        endpoints.MapGet("/api/run/config", (string? run, ServeOptions o) =>
        {
            string path = Path.Combine(RunFolder(o, run), ConfigFile);
            return File.Exists(path) ? Results.Text(File.ReadAllText(path)) : Results.Text($"(no {ConfigFile} in this run yet)");
        });
        endpoints.MapGet("/api/run/events", MetricsEvents);
        endpoints.MapGet("/files/runs/{**path}", (string? path, ServeOptions o, HttpResponse response) =>
        {
            string? full = SafePath.Resolve(o.RunsDirectory, path);
            if (full == null) throw new HttpError(400, $"'{path}': outside the runs folder");
            if (!File.Exists(full) || !ContentTypes.IsServed(full)) throw new HttpError(404, $"'{path}': no such file in the runs folder");
            // A report opened on its own renders with its images, but no script in a file under --runs runs in the page's origin.
            response.Headers.ContentSecurityPolicy = "sandbox";
            return Results.File(full, ContentTypes.For(full));
        });
    }

    /// <summary>Folders under root (itself included) that hold <paramref name="file"/>, as relative paths, sorted.
    /// Symbolic links are not followed, so the search cannot wander out of the folder.</summary>
    static List<string> FoldersHolding(string root, string file)
    {
        if (!Directory.Exists(root)) return [];
        var search = new EnumerationOptions
        {
            RecurseSubdirectories = true, MaxRecursionDepth = SearchDepth, IgnoreInaccessible = true,
            AttributesToSkip = FileAttributes.ReparsePoint | FileAttributes.Hidden,
        };
        return Directory.EnumerateFiles(root, file, search)
            .Select(f => SafePath.Relative(root, Path.GetDirectoryName(f)!))
            .Order(StringComparer.Ordinal).ToList();
    }

    static string RunFolder(ServeOptions options, string? run)
    {
        string? full = SafePath.Resolve(options.RunsDirectory, run);
        if (full == null) throw new HttpError(400, $"run '{run}': outside the runs folder");
        if (!Directory.Exists(full)) throw new HttpError(404, $"run '{run}': no such folder in the runs folder");
        return full;
    }

    sealed record Sample(long Step, string Name, string Url);

    static List<Sample> Samples(string root, string runFolder)
    {
        string folder = Path.Combine(runFolder, SampleFolder);
        if (!Directory.Exists(folder)) return [];
        return Directory.EnumerateFiles(folder)
            .Select(f => (File: f, Match: SampleName().Match(Path.GetFileName(f))))
            .Where(x => x.Match.Success)
            .Select(x => new Sample(long.Parse(x.Match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), x.Match.Groups[2].Value, FileUrl(root, x.File)))
            .OrderBy(s => s.Step).ThenBy(s => s.Name, StringComparer.Ordinal).ToList();
    }

    public static string FileUrl(string root, string file)
        => "/files/runs/" + string.Join('/', SafePath.Relative(root, file).Split('/').Select(Uri.EscapeDataString));

    /// <summary>
    /// Server-sent events for one run: `header` (column names), `rows` (new complete rows, numbers or
    /// null), `reset` (the file was truncated or replaced: drop what you have) and `samples` (the
    /// sample list, when it changed). The first poll sends everything already there, so a page that
    /// connects mid-run misses nothing; then the file is polled until the page goes away.
    /// </summary>
    static async Task MetricsEvents(HttpContext context, string? run, ServeOptions options)
    {
        string folder = RunFolder(options, run);
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        var cancel = context.RequestAborted;
        var tail = new MetricsTail(Path.Combine(folder, MetricsFile));
        string lastSamples = "";
        await response.WriteAsync(": following " + MetricsFile + "\n\n", cancel);
        await response.Body.FlushAsync(cancel);
        try
        {
            while (!cancel.IsCancellationRequested)
            {
                var update = tail.Poll();
                if (update.Reset) await Send(response, "reset", "{}", cancel);
                if (update.Header != null) await Send(response, "header", JsonSerializer.Serialize(update.Header), cancel);
                if (update.Rows.Count > 0) await Send(response, "rows", JsonSerializer.Serialize(update.Rows), cancel);
                string samples = JsonSerializer.Serialize(Samples(options.RunsDirectory, folder), JsonSerializerOptions.Web);
                if (samples != lastSamples) await Send(response, "samples", lastSamples = samples, cancel);
                await response.Body.FlushAsync(cancel);
                await Task.Delay(options.PollInterval, cancel);
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // the page closed or navigated away
        }
    }

    static Task Send(HttpResponse response, string name, string json, CancellationToken cancel)
        => response.WriteAsync($"event: {name}\ndata: {json}\n\n", cancel);
}
