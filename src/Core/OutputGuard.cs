namespace FastStyle.Data;

/// <summary>
/// Refuses outputs that would replace an input (`stylize a.png -o a.png`, `evaluate --json photo.jpg`):
/// the atomic write would succeed and the input would be gone. `--overwrite` is the way to ask for it.
/// </summary>
public static class OutputGuard
{
    public static void RefuseInputs(IEnumerable<string?> outputs, IEnumerable<string?> inputs, bool overwrite)
    {
        if (overwrite) return;
        var inputList = inputs.OfType<string>().ToList();
        foreach (var output in outputs.OfType<string>())
            if (inputList.FirstOrDefault(i => Same(i, output)) is { } input)
                throw new FastStyleError($"output '{output}' is the input '{input}'; refusing to replace it (pass --overwrite to allow, or choose another output)");
    }

    /// <summary>True when both paths name the same file (after making them absolute and following symbolic links).</summary>
    public static bool Same(string a, string b) => Canonical(a) == Canonical(b);

    static string Canonical(string path)
    {
        string full = Path.GetFullPath(path);
        try
        {
            if (new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true) is { } target) return Path.GetFullPath(target.FullName);
        }
        catch (IOException) { }
        return full;
    }
}
