using System.Runtime.InteropServices;

namespace FastStyle.Cli.Commands;

/// <summary>
/// SIGINT (Ctrl+C) and SIGTERM (`kill`, `timeout`, containers, systemd, Slurm) as one cancellation
/// token: the first signal asks long work to stop cleanly (training saves a checkpoint of the last
/// finished step, optimize writes its current image, stylize abandons the current image between
/// tiles and leaves no temp file); a second signal of either kind takes the default action and kills
/// the process. The exit code then follows the shell convention 128 + signal number, so scripts see
/// the same code as for an unhandled signal: 130 for SIGINT, 143 for SIGTERM.
/// A background job started by a non-interactive shell has SIGINT ignored (POSIX); .NET keeps it
/// ignored, which is why SIGTERM is the graceful stop for scripts.
/// System.CommandLine's own handling would exit after a fixed timeout, possibly mid-checkpoint.
/// </summary>
public static class Interrupt
{
    static readonly CancellationTokenSource source = new();
    static readonly object installLock = new();
    // Held for the life of the process: a collected registration would unregister its handler.
    static PosixSignalRegistration[]? registrations;
    static int exitCode = ExitCodes.Interrupted;

    public static CancellationToken Token
    {
        get
        {
            lock (installLock)
                registrations ??= [Register(PosixSignal.SIGINT, ExitCodes.Interrupted), Register(PosixSignal.SIGTERM, ExitCodes.Terminated)];
            return source.Token;
        }
    }

    /// <summary>The exit code for the signal that stopped the work (meaningful once the token is cancelled).</summary>
    public static int ExitCode => Volatile.Read(ref exitCode);

    static PosixSignalRegistration Register(PosixSignal signal, int code) => PosixSignalRegistration.Create(signal, context =>
    {
        if (source.IsCancellationRequested) return; // second signal: default action, the process ends now
        context.Cancel = true;
        Volatile.Write(ref exitCode, code);
        Console.Error.WriteLine($"faststyle: {(signal == PosixSignal.SIGINT ? "interrupted" : "terminated")}; stopping after the current step (send it again to kill)");
        source.Cancel();
    });
}
