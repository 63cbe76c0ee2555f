using Microsoft.AspNetCore.StaticFiles;

namespace FastStyle.Serve;

/// <summary>MIME types by extension; only these kinds of files are ever served from a folder.</summary>
static class ContentTypes
{
    static readonly HashSet<string> Served = [".html", ".htm", ".css", ".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".csv", ".txt", ".json", ".md"];
    static readonly FileExtensionContentTypeProvider Provider = new();

    public static bool IsServed(string path) => Served.Contains(Path.GetExtension(path).ToLowerInvariant());

    public static string For(string path)
    {
        string type = Provider.TryGetContentType(path, out var t) ? t : "application/octet-stream";
        return type.StartsWith("text/", StringComparison.Ordinal) ? type + "; charset=utf-8" : type;
    }
}
