using System.Net;
using System.Text.Json;

namespace FastStyle.Serve.Tests;

/// <summary>GET /api/run/events follows a run's metrics.csv as server-sent events.</summary>
public sealed class MetricsEventsTests : IDisposable
{
    // As the trainer writes it: a BOM, per-layer columns, and a trailing text column (precision).
    const string Header = "\uFEFFstep,seconds,total,content,style,style_relu1_1,content_relu2_2,precision\n";
    readonly ServeFactory factory = new();
    string Metrics => Path.Combine(factory.RunsDirectory, "starry", "metrics.csv");

    public MetricsEventsTests() => Directory.CreateDirectory(Path.GetDirectoryName(Metrics)!);

    [Fact]
    public async Task A_row_appended_while_watching_is_delivered()
    {
        File.WriteAllText(Metrics, Header + "10,1.5,300,100,200,20,100,bf16\n");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var client = factory.CreateClient();
        using var response = await client.GetAsync("/api/run/events?run=starry", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var events = new EventReader(await response.Content.ReadAsStreamAsync(timeout.Token));

        var header = await events.Next("header", timeout.Token);
        Assert.Equal("step", JsonSerializer.Deserialize<string[]>(header)![0]);
        var first = JsonSerializer.Deserialize<double?[][]>(await events.Next("rows", timeout.Token))!;
        Assert.Equal(10, first.Single()[0]);

        File.AppendAllText(Metrics, "20,3.0,250,90,160,15,90,bf16\n");
        var appended = JsonSerializer.Deserialize<double?[][]>(await events.Next("rows", timeout.Token))!;

        Assert.Equal([20, 3.0, 250, 90, 160, 15, 90, null], appended.Single());
    }

    [Fact]
    public async Task The_run_list_names_folders_holding_metrics()
    {
        File.WriteAllText(Metrics, Header);
        Directory.CreateDirectory(Path.Combine(factory.RunsDirectory, "not-a-run"));
        var runs = await factory.CreateClient().GetStringAsync("/api/runs");
        Assert.Equal("[\"starry\"]", runs);
    }

    [Fact]
    public async Task Samples_are_listed_by_step_with_their_urls()
    {
        string samples = Path.Combine(factory.RunsDirectory, "starry", "samples");
        Directory.CreateDirectory(samples);
        foreach (var name in new[] { "step-000200-tubingen.jpg", "step-000100-chicago.jpg", "step-000100-amber.jpg", "notes.txt" })
            File.WriteAllText(Path.Combine(samples, name), "");
        var list = JsonDocument.Parse(await factory.CreateClient().GetStringAsync("/api/run/samples?run=starry")).RootElement;

        Assert.Equal(["100 amber", "100 chicago", "200 tubingen"], list.EnumerateArray().Select(s => $"{s.GetProperty("step")} {s.GetProperty("name")}"));
        Assert.Equal("/files/runs/starry/samples/step-000100-amber.jpg", list[0].GetProperty("url").GetString());
    }

    public void Dispose() => factory.Dispose();

    /// <summary>Reads `event: NAME` / `data: JSON` blocks from a text/event-stream.</summary>
    sealed class EventReader(Stream stream) : IDisposable
    {
        readonly StreamReader reader = new(stream);

        public async Task<string> Next(string name, CancellationToken cancel)
        {
            string? eventName = null;
            while (await reader.ReadLineAsync(cancel) is { } line)
            {
                if (line.StartsWith("event: ")) eventName = line["event: ".Length..];
                else if (line.StartsWith("data: ") && eventName == name) return line["data: ".Length..];
                else if (line.Length == 0) eventName = null;
            }
            throw new EndOfStreamException($"the event stream ended before a '{name}' event");
        }

        public void Dispose() => reader.Dispose();
    }
}
