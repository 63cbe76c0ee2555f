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

/// <summary>End to end: Kestrel on a free port, the page in headless Chromium, a real upload.</summary>
public sealed class BrowserTests
{
    [BrowserFact]
    public async Task Uploading_a_photo_on_the_page_shows_the_stylised_result()
    {
        using var fixture = new ServeFactory();
        var (host, url) = await ServeApp.StartAsync(fixture.Options with { Host = "127.0.0.1", Port = 0 });
        using var _ = host;
        await using var browser = await Puppeteer.LaunchAsync(new LaunchOptions
        {
            Headless = true,
            ExecutablePath = InstalledBrowser.Path,
            // Root in CI and containers: Chromium's sandbox needs user namespaces it may not have there.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
        await using var page = await browser.NewPageAsync();
        await page.SetViewportAsync(new ViewPortOptions { Width = 1280, Height = 760 });

        await page.GoToAsync(url);
        var photo = await page.QuerySelectorAsync("#photo");
        await photo.UploadFileAsync(Photos.Example);
        await page.TypeAsync("#size", "480");
        await page.ClickAsync("#stylize");
        await page.WaitForFunctionAsync("() => { const i = document.getElementById('output'); return i.complete && i.naturalWidth > 0; }",
            new WaitForFunctionOptions { Timeout = 60_000 });

        int[] size = await page.EvaluateFunctionAsync<int[]>("() => { const i = document.getElementById('output'); return [i.naturalWidth, i.naturalHeight]; }");
        string error = await page.EvaluateFunctionAsync<string>("() => document.getElementById('error').textContent");
        string timing = await page.EvaluateFunctionAsync<string>("() => document.getElementById('timing').textContent");
        string screenshot = Path.Combine(AppContext.BaseDirectory, "screenshots", "try-tubingen.jpg");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        await page.ScreenshotAsync(screenshot, new ScreenshotOptions { Type = ScreenshotType.Jpeg, Quality = 85 });

        Assert.Equal("", error);
        Assert.Equal([480, 360], size);
        Assert.StartsWith("stylise ", timing);
        Assert.True(new FileInfo(screenshot).Length > 10_000, "the screenshot is empty");
    }
}
