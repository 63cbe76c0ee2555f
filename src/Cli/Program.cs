using System.CommandLine;
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
        root.Subcommands.Add(StylizeCommand.Create());
        root.Subcommands.Add(EvaluateCommand.Create());
        root.Subcommands.Add(CompareCommand.Create());
        return Run(root, args);
    }

    /// <summary>
    /// Parse errors and <see cref="FastStyleError"/> are user mistakes: one line on stderr, exit 2.
    /// Anything else is a bug and keeps its stack trace.
    /// </summary>
    static int Run(RootCommand root, string[] args)
    {
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            Console.Error.WriteLine($"faststyle: {parsed.Errors[0].Message} (see --help)");
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
    public const int Interrupted = 130;
}
