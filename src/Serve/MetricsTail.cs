using System.Globalization;
using System.Text;

namespace FastStyle.Serve;

/// <summary>New content of a growing metrics.csv since the last poll.</summary>
/// <param name="Reset">The file shrank or was replaced (a resume truncates rows past its checkpoint,
/// --force-new starts over): everything read before is void and <see cref="Header"/> is sent again.</param>
/// <param name="Header">Column names, when read in this poll.</param>
/// <param name="Rows">Complete new rows; a cell that is not a finite number (the `precision` text column, an
/// empty cell, NaN) is null, so every column keeps its index.</param>
public sealed record MetricsUpdate(bool Reset, IReadOnlyList<string>? Header, IReadOnlyList<double?[]> Rows)
{
    public bool IsEmpty => !Reset && Header == null && Rows.Count == 0;
}

/// <summary>
/// Follows a metrics.csv that the trainer appends to. Only complete lines (ending in a newline) are
/// read: a row being written is picked up by the next poll, never half. The file is opened for each
/// poll and shared for writing and deletion, so the trainer's appends and atomic replacements go on.
/// </summary>
public sealed class MetricsTail(string path)
{
    long offset;
    bool headerRead;
    byte[] firstBytes = [];

    public MetricsUpdate Poll()
    {
        bool reset = false;
        FileStream stream;
        try { stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete); }
        catch (FileNotFoundException) { return Restart(offset > 0); }
        catch (DirectoryNotFoundException) { return Restart(offset > 0); }
        using (stream)
        {
            if (stream.Length < offset || (offset > 0 && !StartsWith(stream, firstBytes)))
            {
                offset = 0;
                headerRead = false;
                reset = true;
            }
            if (stream.Length == offset) return new MetricsUpdate(reset, null, []);
            stream.Position = offset;
            var fresh = new byte[stream.Length - offset];
            stream.ReadExactly(fresh);
            int end = Array.LastIndexOf(fresh, (byte)'\n') + 1;
            if (end == 0) return new MetricsUpdate(reset, null, []);
            if (offset == 0) firstBytes = fresh[..Math.Min(end, 64)];
            offset += end;

            IReadOnlyList<string>? header = null;
            var rows = new List<double?[]>();
            foreach (var raw in Encoding.UTF8.GetString(fresh, 0, end).Split('\n'))
            {
                string line = raw.TrimEnd('\r').TrimStart('\uFEFF');
                if (line.Length == 0) continue;
                if (!headerRead) { header = line.Split(',').Select(c => c.Trim()).ToList(); headerRead = true; }
                else rows.Add(ParseRow(line));
            }
            return new MetricsUpdate(reset, header, rows);
        }
    }

    MetricsUpdate Restart(bool wasReading)
    {
        offset = 0;
        headerRead = false;
        return new MetricsUpdate(wasReading, null, []);
    }

    /// <summary>Whether the file still begins as it did when first read (a replaced file of equal or greater length is a new run).</summary>
    static bool StartsWith(FileStream stream, byte[] prefix)
    {
        var head = new byte[prefix.Length];
        stream.Position = 0;
        int n = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        return n == prefix.Length && head.AsSpan().SequenceEqual(prefix);
    }

    public static double?[] ParseRow(string line) => line.Split(',').Select(cell =>
        double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) ? v : (double?)null).ToArray();
}
