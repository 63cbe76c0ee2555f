using Microsoft.Extensions.Hosting;
using PuppeteerSharp;

namespace FastStyle.Serve.Tests;

/// <summary>The installed Chromium (Debian's `chromium` package), found via PATH or the usual paths.</summary>
static class InstalledBrowser
{
    public static string? Path { get; } = Find();

    static string? Find()
    {
        var names = new[] { "chromium", "chromium-browser", "google-chrome", "google-chrome-stable" };
        var folders = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator).Append("/usr/bin");
        return folders.SelectMany(dir => names.Select(n => System.IO.Path.Combine(dir, n))).FirstOrDefault(File.Exists);
    }
}

/// <summary>A [Fact] skipped, with the reason, when no Chromium is installed (`apt-get install -y chromium`).</summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (InstalledBrowser.Path is null)
            Skip = "needs a headless browser: no chromium on PATH or in /usr/bin (apt-get install -y chromium; .ci/run installs it)";
    }
}

/// <summary>
/// End to end: Kestrel on a free port and the page in headless Chromium (Debian's), with the runs
/// folder of a <see cref="ServeFactory"/> (only its options are used; the factory's in-memory server is not started).
/// </summary>
public sealed class BrowserTests : IAsyncLifetime
{
    readonly ServeFactory fixture = new();
    IHost? host;
    IBrowser? browser;
    string url = "";

    public async Task InitializeAsync()
    {
        if (InstalledBrowser.Path is null) return;
        (host, url) = await ServeApp.StartAsync(fixture.Options with { Host = "127.0.0.1", Port = 0 });
        browser = await Puppeteer.LaunchAsync(new LaunchOptions
        {
            Headless = true,
            ExecutablePath = InstalledBrowser.Path,
            // Root in CI and containers: Chromium's sandbox needs user namespaces it may not have there.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
    }

    public async Task DisposeAsync()
    {
        if (browser != null) await browser.DisposeAsync();
        if (host != null) { await host.StopAsync(); host.Dispose(); }
        fixture.Dispose();
    }

    async Task<IPage> Open(string fragment)
    {
        var page = await browser!.NewPageAsync();
        await page.SetViewportAsync(new ViewPortOptions { Width = 1280, Height = 760 });
        await page.GoToAsync(url + "/" + fragment);
        return page;
    }

    static Task WaitFor(IPage page, string condition)
        => page.WaitForFunctionAsync($"() => {condition}", new WaitForFunctionOptions { Timeout = 60_000 });

    static string Screenshot(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "screenshots", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return path;
    }

    [BrowserFact]
    public async Task Uploading_a_photo_on_the_page_shows_the_stylised_result()
    {
        await using var page = await Open("#try");
        var photo = await page.QuerySelectorAsync("#photo");
        await photo.UploadFileAsync(Photos.Example);
        await page.TypeAsync("#size", "480");
        await page.ClickAsync("#stylize");
        await WaitFor(page, "document.getElementById('output').complete && document.getElementById('output').naturalWidth > 0");

        int[] size = await page.EvaluateFunctionAsync<int[]>("() => { const i = document.getElementById('output'); return [i.naturalWidth, i.naturalHeight]; }");
        string error = await page.EvaluateFunctionAsync<string>("() => document.getElementById('error').textContent");
        string timing = await page.EvaluateFunctionAsync<string>("() => document.getElementById('timing').textContent");
        string screenshot = Screenshot("try-tubingen.jpg");
        await page.ScreenshotAsync(screenshot, new ScreenshotOptions { Type = ScreenshotType.Jpeg, Quality = 85 });

        Assert.Equal("", error);
        Assert.Equal([480, 360], size);
        Assert.StartsWith("stylise ", timing);
        Assert.True(new FileInfo(screenshot).Length > 10_000, "the screenshot is empty");
    }

    [BrowserFact]
    public async Task The_watch_tab_follows_a_run_and_shows_its_samples()
    {
        string run = Path.Combine(fixture.RunsDirectory, "starry");
        Directory.CreateDirectory(Path.Combine(run, "samples"));
        File.Copy(Photos.Example, Path.Combine(run, "samples", "step-000100-tubingen.jpg"));
        File.WriteAllText(Path.Combine(run, "config.resolved.txt"), "style_weight: 100000");
        File.WriteAllText(Path.Combine(run, "metrics.csv"), "step,total,content,style,precision\n10,300,100,200,bf16\n20,250,90,160,bf16\n");

        await using var page = await Open("#watch");
        await WaitFor(page, "document.getElementById('run-status').textContent.startsWith('2 rows')");
        File.AppendAllText(Path.Combine(run, "metrics.csv"), "30,200,80,120,bf16\n");
        await WaitFor(page, "document.getElementById('run-status').textContent.startsWith('3 rows, step 30')");
        await WaitFor(page, "[...document.querySelectorAll('#samples img')].some(i => i.complete && i.naturalWidth === 640)");
        await WaitFor(page, "document.getElementById('config').textContent.includes('style_weight')");
        await page.ScreenshotAsync(Screenshot("watch.jpg"), new ScreenshotOptions { Type = ScreenshotType.Jpeg, Quality = 85 });
    }

    [BrowserFact]
    public async Task The_compare_tab_shows_a_report_with_its_images()
    {
        string report = Path.Combine(fixture.RunsDirectory, "compare-1");
        Directory.CreateDirectory(Path.Combine(report, "images"));
        File.Copy(Photos.Example, Path.Combine(report, "images", "content.jpg"));
        File.WriteAllText(Path.Combine(report, "report.html"), "<!DOCTYPE html><h1>report</h1><img src=\"images/content.jpg\">");

        await using var page = await Open("#compare");
        var frame = await WaitForFrame(page, "/files/runs/compare-1/report.html");
        await frame.WaitForFunctionAsync("() => { const i = document.querySelector('img'); return i && i.complete && i.naturalWidth === 640; }",
            new WaitForFunctionOptions { Timeout = 60_000 });
    }

    static async Task<IFrame> WaitForFrame(IPage page, string path)
    {
        for (var clock = System.Diagnostics.Stopwatch.StartNew(); clock.Elapsed < TimeSpan.FromSeconds(60); await Task.Delay(100))
            if (page.Frames.FirstOrDefault(f => f.Url.EndsWith(path, StringComparison.Ordinal)) is { } frame)
                return frame;
        throw new TimeoutException($"no frame showing {path} within 60 s");
    }
}
