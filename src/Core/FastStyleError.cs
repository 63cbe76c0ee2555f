namespace FastStyle.Data;

/// <summary>
/// The one exception type for mistakes a user can fix (bad path, corrupt image, wrong VGG file,
/// unknown config key...). The message is a single line that names the file or key and the
/// problem; the CLI prints it as is and exits with code 2. Anything else is a bug.
/// </summary>
public sealed class FastStyleError : Exception
{
    public FastStyleError(string message) : base(message) { }
    public FastStyleError(string message, Exception inner) : base(message, inner) { }
}
