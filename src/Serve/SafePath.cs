namespace FastStyle.Serve;

/// <summary>
/// Maps a relative path from a request to a file under a served folder, or refuses it. Refused:
/// rooted paths, backslashes, NUL, any `..` that climbs out of the folder, and symbolic links
/// (on the way or at the end) whose target lies outside it. Nothing else is ever read.
/// </summary>
public static class SafePath
{
    /// <returns>The full path, or null when the path is not inside <paramref name="root"/>.</returns>
    public static string? Resolve(string root, string? relative)
    {
        string rootFull = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        if (string.IsNullOrEmpty(relative)) return rootFull;
        if (relative.Contains('\0') || relative.Contains('\\') || Path.IsPathRooted(relative)) return null;
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(Path.Combine(rootFull, relative)));
        if (!IsInside(rootFull, full)) return null;

        string realRoot = RealPath(rootFull);
        for (string? p = full; p != null && p.Length > rootFull.Length; p = Path.GetDirectoryName(p))
        {
            FileSystemInfo info = Directory.Exists(p) ? new DirectoryInfo(p) : new FileInfo(p);
            if (info.LinkTarget != null && !IsInside(realRoot, info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? ""))
                return null;
        }
        return full;
    }

    /// <summary>The folder relative to root with forward slashes, as the page names runs and reports.</summary>
    public static string Relative(string root, string path) => Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/');

    static bool IsInside(string root, string path)
        => path == root || path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    static string RealPath(string path)
    {
        var info = new DirectoryInfo(path);
        return info.LinkTarget != null ? Path.TrimEndingDirectorySeparator(info.ResolveLinkTarget(true)?.FullName ?? path) : path;
    }
}
