using System.Net;
using FastStyle.Data;

namespace FastStyle.Serve;

/// <summary>What `faststyle serve` serves and where it listens.</summary>
public sealed record ServeOptions
{
    /// <summary>Largest upload accepted (the request body as a whole): a 64-megapixel JPEG is rarely above this.</summary>
    public const long DefaultMaxUploadBytes = 32L * 1024 * 1024;
    public const string DefaultHost = "127.0.0.1";
    public const int DefaultPort = 8080;

    /// <summary>Folder of *.onnx models offered on the Try page.</summary>
    public required string ModelsDirectory { get; init; }
    /// <summary>Folder searched for run folders (metrics.csv) and compare reports (report.html); it may not exist yet.</summary>
    public required string RunsDirectory { get; init; }
    /// <summary>Folder of example photos offered on the Try page (null: none).</summary>
    public string? ExamplesDirectory { get; init; }
    public string Host { get; init; } = DefaultHost;
    /// <summary>0 picks a free port (tests).</summary>
    public int Port { get; init; } = DefaultPort;
    public long MaxUploadBytes { get; init; } = DefaultMaxUploadBytes;
    /// <summary>How often a watched metrics.csv is checked for new rows.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);
    /// <summary>Parent of the server's private temp folder (null: the system temp folder).</summary>
    public string? TempParent { get; init; }

    public string Url => $"http://{(IPAddress.TryParse(Host, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{Host}]" : Host)}:{Port}";

    /// <summary>One-line user errors for a folder or address that cannot work.</summary>
    public void Validate()
    {
        if (!Directory.Exists(ModelsDirectory))
            throw new FastStyleError($"models folder '{ModelsDirectory}': not found (--models DIR)");
        if (Directory.GetFiles(ModelsDirectory, "*.onnx").Length == 0)
            throw new FastStyleError($"models folder '{ModelsDirectory}': holds no .onnx model (`faststyle export` makes one)");
        if (File.Exists(RunsDirectory))
            throw new FastStyleError($"runs folder '{RunsDirectory}': is a file, expected a folder (--runs DIR)");
        if (Host != "localhost" && !IPAddress.TryParse(Host, out _))
            throw new FastStyleError($"host '{Host}': not an IP address or 'localhost' (--host)");
        if (Port is < 0 or > 65535)
            throw new FastStyleError($"port {Port}: outside 0..65535 (--port)");
        if (MaxUploadBytes < 1)
            throw new FastStyleError($"upload limit {MaxUploadBytes}: must be positive");
    }

    /// <summary>Whether the address is reachable from other machines (the CLI warns then: the page has no authentication).</summary>
    public bool IsPublic => Host != "localhost" && !(IPAddress.TryParse(Host, out var ip) && IPAddress.IsLoopback(ip));
}
