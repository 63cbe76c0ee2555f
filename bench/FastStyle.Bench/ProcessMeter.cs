using System.Diagnostics;
using System.Runtime.InteropServices;

namespace FastStyle.Bench;

/// <summary>
/// CPU that other processes used while we measured, counted exactly as the PyTorch peer's
/// common.ContentionMeter does (../shared/peer/common.py), so the two sides' figures compare:
/// other = (machine busy time from /proc/stat - this process's user+system time from getrusage) / wall.
/// /proc/stat counts in clock ticks (10 ms), so the figure is only meaningful over a second or more.
/// </summary>
public sealed class ContentionMeter
{
    readonly Stopwatch wall = Stopwatch.StartNew();
    readonly double own0 = ProcessUsage.OwnCpuSeconds();
    readonly (long Busy, long Steal) ticks0 = BusyTicks();

    public (double OtherCores, double OwnCores, double StealCores) Stop()
    {
        var ticks1 = BusyTicks();
        double seconds = wall.Elapsed.TotalSeconds;
        double own = ProcessUsage.OwnCpuSeconds() - own0;
        if (seconds <= 0) return (0, 0, 0);
        double hz = ProcessUsage.ClockTicksPerSecond;
        double other = ((ticks1.Busy - ticks0.Busy) / hz - own) / seconds;
        return (Math.Round(Math.Max(other, 0), 2), Math.Round(own / seconds, 2), Math.Round((ticks1.Steal - ticks0.Steal) / hz / seconds, 2));
    }

    /// <summary>user + nice + system + irq + softirq + steal of the first /proc/stat line (idle and iowait excluded).</summary>
    static (long Busy, long Steal) BusyTicks()
    {
        string first = File.ReadLines("/proc/stat").First();
        var v = first.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).Concat(new long[8]).Take(8).ToArray();
        return (v[0] + v[1] + v[2] + v[5] + v[6] + v[7], v[7]);
    }
}

/// <summary>getrusage(RUSAGE_SELF) of this process (all threads): the peer's own-CPU and peak-RSS source.</summary>
public static class ProcessUsage
{
    // struct rusage on 64-bit Linux: ru_utime and ru_stime (timeval: two longs each), then 14 longs from ru_maxrss (KiB).
    [DllImport("libc", SetLastError = true)]
    static extern int getrusage(int who, [Out] long[] usage);

    [DllImport("libc")]
    static extern long sysconf(int name);

    const int RusageSelf = 0;
    const int ScClockTicks = 2;

    public static double ClockTicksPerSecond { get; } = sysconf(ScClockTicks) is > 0 and var hz ? hz : 100;

    static long[] Usage()
    {
        var usage = new long[18];
        if (getrusage(RusageSelf, usage) != 0) throw new InvalidOperationException($"getrusage failed (errno {Marshal.GetLastWin32Error()})");
        return usage;
    }

    public static double OwnCpuSeconds()
    {
        var u = Usage();
        return u[0] + u[1] / 1e6 + u[2] + u[3] / 1e6;
    }

    /// <summary>Peak resident set of the whole process so far (ru_maxrss), in MiB.</summary>
    public static double PeakRssMiB() => Math.Round(Usage()[4] / 1024.0, 1);
}
