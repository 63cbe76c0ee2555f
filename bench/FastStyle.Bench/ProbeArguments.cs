namespace FastStyle.Bench;

/// <summary>The probes' `key=value` arguments (a bare `key` maps to ""), parsed in one place.</summary>
static class ProbeArguments
{
    public static Dictionary<string, string> Parse(string[] args)
        => args.Select(a => a.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "");
}
