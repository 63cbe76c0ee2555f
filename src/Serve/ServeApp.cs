using System.Net;
using System.Reflection;
using FastStyle.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FastStyle.Serve;

/// <summary>
/// The web app behind `faststyle serve`: one page with three tabs (Try, Watch, Compare) and a small
/// JSON/SSE API. The CLI runs it with Kestrel; tests host the same builder in memory
/// (WebApplicationFactory) or on a free port (browser test).
/// </summary>
public sealed class ServeApp
{
    ServeApp() { }

    /// <summary>The host, not started. Kestrel listens on <see cref="ServeOptions.Url"/>.</summary>
    public static IHostBuilder CreateHostBuilder(ServeOptions options)
    {
        options.Validate();
        // A bare HostBuilder rather than Host.CreateDefaultBuilder: no appsettings.json or environment
        // from the current folder can re-route the server, and no file watchers are set up there.
        return new HostBuilder()
            .UseConsoleLifetime() // Ctrl+C and SIGTERM stop it
                                  // Quiet console; errors in requests (bugs) are still logged with their stack trace. The host's own
                                  // start-up failure is not: StartAsync rethrows it, and a port in use becomes one line there.
            .ConfigureLogging(logging => logging.AddConsole().SetMinimumLevel(LogLevel.Warning)
                .AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None))
            .ConfigureWebHostDefaults(web => web
                .UseUrls(options.Url)
                // The form limit below is the one the page reports; this is a backstop a little above it.
                .ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = options.MaxUploadBytes + 64 * 1024)
                .ConfigureServices(services =>
                {
                    services.AddSingleton(options);
                    services.AddSingleton<TempFolder>();
                    services.AddSingleton<ModelCache>();
                    services.AddRouting();
                    services.Configure<FormOptions>(form =>
                    {
                        form.MultipartBodyLengthLimit = options.MaxUploadBytes + 64 * 1024;
                        // Keep uploads in memory: past this threshold ASP.NET buffers them to the system temp
                        // folder, and the server writes nowhere but its own TempFolder.
                        form.MemoryBufferThreshold = (int)Math.Min(int.MaxValue, form.MultipartBodyLengthLimit);
                    });
                })
                .Configure(app =>
                {
                    app.Use(OneLineErrors);
                    app.UseRouting();
                    app.UseEndpoints(endpoints =>
                    {
                        MapPage(endpoints);
                        TryEndpoints.Map(endpoints);
                        RunEndpoints.Map(endpoints);
                    });
                }));
    }

    /// <summary>Starts the server and returns it with the address it listens on (port 0 becomes the port picked).</summary>
    public static async Task<(IHost Host, string Url)> StartAsync(ServeOptions options, CancellationToken cancel = default)
    {
        var host = CreateHostBuilder(options).Build();
        try
        {
            await host.StartAsync(cancel);
        }
        catch (IOException e) // Kestrel: "Failed to bind to address ...: address already in use"
        {
            host.Dispose();
            throw new FastStyleError($"cannot listen on {options.Url} ({e.Message.ReplaceLineEndings(" ")}); pick another --port", e);
        }
        var addresses = host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        string url = addresses?.FirstOrDefault() ?? options.Url;
        return (host, url.Replace("//[::]", "//localhost").Replace("//0.0.0.0", "//localhost"));
    }

    /// <summary>Serves until Ctrl+C or SIGTERM (the host's console lifetime), after telling <paramref name="onListening"/> the address.</summary>
    public static void Run(ServeOptions options, Action<string> onListening)
    {
        var (host, url) = StartAsync(options).GetAwaiter().GetResult();
        using (host)
        {
            onListening(url);
            host.WaitForShutdown();
        }
    }

    static void MapPage(Microsoft.AspNetCore.Routing.IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/", () => Embedded("index.html", "text/html; charset=utf-8"));
        endpoints.MapGet("/app.js", () => Embedded("app.js", "text/javascript; charset=utf-8"));
        endpoints.MapGet("/style.css", () => Embedded("style.css", "text/css; charset=utf-8"));
    }

    static IResult Embedded(string name, string contentType)
    {
        var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("wwwroot/" + name)
            ?? throw new InvalidOperationException($"embedded page file '{name}' is missing from the build");
        return Results.Stream(stream, contentType);
    }

    /// <summary>
    /// A user error (<see cref="FastStyleError"/>, or a request over the size limit) becomes a 4xx with
    /// the message as one line of text, which the page shows as it is. Anything else stays a 500 (a bug).
    /// </summary>
    static async Task OneLineErrors(HttpContext context, Func<Task> next)
    {
        try
        {
            await next();
        }
        catch (Exception e) when (!context.Response.HasStarted && UserError(e, context) is var (status, message))
        {
            context.Response.Clear();
            context.Response.StatusCode = status;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync(message.ReplaceLineEndings(" "));
        }
    }

    static (int, string)? UserError(Exception e, HttpContext context) => e switch
    {
        HttpError h => (h.Status, h.Message),
        FastStyleError f => (StatusCodes.Status400BadRequest, f.Message),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => (StatusCodes.Status413PayloadTooLarge, TooLarge(context)),
        InvalidDataException when context.Request.HasFormContentType => (StatusCodes.Status413PayloadTooLarge, TooLarge(context)),
        BadHttpRequestException b => (b.StatusCode, b.Message),
        _ => null,
    };

    internal static string TooLarge(HttpContext context)
        => $"upload too large: the limit is {context.RequestServices.GetRequiredService<ServeOptions>().MaxUploadBytes / (1024.0 * 1024):0.#} MiB";
}

/// <summary>A refusal with its HTTP status (404 for what is not there, 413 for too large); the message is shown on the page.</summary>
public sealed class HttpError(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}

/// <summary>The server's private scratch folder: uploads and encoded results live here briefly, and it is deleted on shutdown.</summary>
public sealed class TempFolder : IDisposable
{
    public string Path { get; }

    public TempFolder(ServeOptions options)
    {
        Path = System.IO.Path.Combine(options.TempParent ?? System.IO.Path.GetTempPath(), $"faststyle-serve-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string NewFile(string extension) => System.IO.Path.Combine(Path, Guid.NewGuid().ToString("N") + extension);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
