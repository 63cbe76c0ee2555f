using System.CommandLine;
using System.CommandLine.Parsing;
using FastStyle.Cli.Commands;
using FastStyle.Data;

namespace FastStyle.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("FastStyle: train feed-forward style transfer networks, export them to ONNX, stylise images, and compare with per-image optimisation.");
        root.Subcommands.Add(OptimizeCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        root.Subcommands.Add(ImportCommand.Create());
        root.Subcommands.Add(StylizeCommand.Create());
        root.Subcommands.Add(EvaluateCommand.Create());
        root.Subcommands.Add(CompareCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        return Run(root, args);
    }

    /// <summary>
    /// Parse errors and <see cref="FastStyleError"/> are user mistakes: one line on stderr, exit 2.
    /// Anything else is a bug and keeps its stack trace.
    /// </summary>
    static int Run(RootCommand root, string[] args)
    {
        var parsed = root.Parse(args);
        if (UsageError(root, parsed, args) is { } usage)
        {
            Console.Error.WriteLine($"faststyle: {usage} (see --help)");
            return ExitCodes.UserError;
        }
        try
        {
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (UserError(e) is { } error)
        {
            Console.Error.WriteLine($"faststyle: {error.Message}");
            return ExitCodes.UserError;
        }
    }

    /// <summary>
    /// The first problem with the command line, worded for a user: a mistyped command gets the
    /// closest one suggested (System.CommandLine only says a command is required), and a token that
    /// looks like an option but was taken as a file argument is reported as an unknown option.
    /// </summary>
    static string? UsageError(RootCommand root, ParseResult parsed, string[] args)
    {
        var commands = root.Subcommands.Select(c => c.Name).ToList();
        string? first = args.FirstOrDefault();
        if (parsed.CommandResult.Command == root && first != null && !first.StartsWith('-') && !commands.Contains(first))
        {
            string closest = commands.MinBy(c => EditDistance(c, first))!;
            return EditDistance(closest, first) <= 3
                ? $"unknown command '{first}'; did you mean '{closest}'?"
                : $"unknown command '{first}' (commands: {string.Join(", ", commands)})";
        }
        foreach (var argument in parsed.CommandResult.Children.OfType<ArgumentResult>())
            foreach (var token in argument.Tokens)
                if (token.Value.Length > 1 && token.Value[0] == '-' && !double.TryParse(token.Value, out _) && args.Contains(token.Value)
                    && !IsAfterDoubleDash(args, token.Value))
                    return $"unknown option '{token.Value}' for '{parsed.CommandResult.Command.Name}'";
        if (parsed.UnmatchedTokens.FirstOrDefault() is { } unmatched)
            return unmatched.StartsWith('-') ? $"unknown option '{unmatched}' for '{parsed.CommandResult.Command.Name}'" : $"unexpected argument '{unmatched}'";
        return parsed.Errors.Count > 0 ? parsed.Errors[0].Message.ReplaceLineEndings(" ") : null;
    }

    /// <summary>After `--` every token is a file name, even one starting with a dash.</summary>
    static bool IsAfterDoubleDash(string[] args, string token)
    {
        int dashes = Array.IndexOf(args, "--");
        return dashes >= 0 && Array.IndexOf(args, token, dashes + 1) > dashes && Array.IndexOf(args, token) > dashes;
    }

    static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }

    static FastStyleError? UserError(Exception e) => e switch
    {
        FastStyleError f => f,
        AggregateException { InnerExceptions.Count: 1 } a => UserError(a.InnerExceptions[0]),
        TypeInitializationException { InnerException: { } inner } => UserError(inner),
        _ => null,
    };
}

public static class ExitCodes
{
    public const int Success = 0;
    public const int UserError = 2;
    /// <summary>The work ran but did not succeed (e.g. training diverged).</summary>
    public const int Failed = 1;
    /// <summary>Stopped cleanly by SIGINT (Ctrl+C): 128 + 2, what a shell reports for the signal.</summary>
    public const int Interrupted = 130;
    /// <summary>Stopped cleanly by SIGTERM: 128 + 15.</summary>
    public const int Terminated = 143;
}
