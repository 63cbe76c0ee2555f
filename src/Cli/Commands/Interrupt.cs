namespace FastStyle.Cli.Commands;

/// <summary>
/// Ctrl+C as a cancellation token: the first press asks long work to stop cleanly (training saves a
/// checkpoint, optimize writes its current image); a second press kills the process.
/// System.CommandLine's own handling would exit after a fixed timeout, possibly mid-checkpoint.
/// </summary>
public static class Interrupt
{
    static readonly CancellationTokenSource source = new();
    static int installed;

    public static CancellationToken Token
    {
        get
        {
            if (Interlocked.Exchange(ref installed, 1) == 0)
                Console.CancelKeyPress += (_, e) =>
                {
                    if (source.IsCancellationRequested) return;
                    e.Cancel = true;
                    Console.Error.WriteLine("faststyle: stopping after the current step (Ctrl+C again to kill)");
                    source.Cancel();
                };
            return source.Token;
        }
    }
}
