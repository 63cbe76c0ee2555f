using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using FastStyle.Inference;
using FastStyle.Training.Networks;

namespace FastStyle.Hostile.Tests;

/// <summary>What a `faststyle` run left: exit code and the lines it wrote.</summary>
public sealed record CliRun(int Code, string Stdout, string Stderr)
{
    public string[] ErrorLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>
    /// The hostile-input contract: the given exit code and exactly one stderr line, "faststyle: ...",
    /// with every key word and no stack trace.
    /// </summary>
    public string AssertOneLineError(int code, params string[] keyWords)
    {
        Assert.True(Code == code, $"exit code {Code}, expected {code}; stderr: {Stderr}; stdout: {Stdout}");
        var line = Assert.Single(ErrorLines);
        Assert.StartsWith("faststyle: ", line);
        Assert.DoesNotContain("   at ", Stderr);
        Assert.DoesNotContain("Exception", Stderr);
        foreach (var word in keyWords) Assert.Contains(word, line);
        return line;
    }
}

/// <summary>Runs the CLI's real entry point in this process, capturing both streams.</summary>
public static class Cli
{
    static readonly object consoleLock = new();

    public static CliRun Run(params string[] args)
    {
        lock (consoleLock)
        {
            var (previousOut, previousError) = (Console.Out, Console.Error);
            var (stdout, stderr) = (new StringWriter(), new StringWriter());
            try
            {
                Console.SetOut(stdout);
                Console.SetError(stderr);
                int code = FastStyle.Cli.Program.Main(args);
                return new CliRun(code, stdout.ToString(), stderr.ToString());
            }
            finally
            {
                Console.SetOut(previousOut);
                Console.SetError(previousError);
            }
        }
    }
}

/// <summary>
/// The CLI as a child process (`dotnet faststyle.dll`), for what only a separate process can show:
/// signals and exit codes 143/130.
/// </summary>
public sealed class CliProcess : IDisposable
{
    readonly Process process;
    readonly List<string> stdout = [];
    readonly List<string> stderr = [];

    public CliProcess(string workingDirectory, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "faststyle.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data != null) lock (stdout) stdout.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (stderr) stderr.Add(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>Waits (up to a generous limit: the machine is shared) for a stdout line matching <paramref name="match"/>.</summary>
    public void WaitForOutput(Func<string, bool> match, int seconds = 120)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            lock (stdout) if (stdout.Any(match)) return;
            if (process.HasExited) break;
            Thread.Sleep(50);
        }
        Assert.Fail($"no matching output; exited: {process.HasExited}; stdout: {string.Join(" | ", stdout)}; stderr: {string.Join(" | ", stderr)}");
    }

    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int signal);

    public const int SIGINT = 2, SIGTERM = 15;

    public void Signal(int signal) => Assert.Equal(0, kill(process.Id, signal));

    public CliRun WaitForExit(int seconds = 120)
    {
        Assert.True(process.WaitForExit(seconds * 1000), "the process did not stop after the signal");
        process.WaitForExit(); // drains the redirected streams
        lock (stdout) lock (stderr) return new CliRun(process.ExitCode, string.Join("\n", stdout), string.Join("\n", stderr));
    }

    public void Dispose()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        process.Dispose();
    }
}

/// <summary>Every file under a folder with its SHA-256: "no input or earlier output changed" is an equality of two snapshots.</summary>
public static class Snapshot
{
    public static Dictionary<string, string> Of(string folder) => Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
        .ToDictionary(f => Path.GetRelativePath(folder, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));

    public static void AssertUnchanged(Dictionary<string, string> before, string folder)
        => Assert.Equal(before.OrderBy(kv => kv.Key), Of(folder).OrderBy(kv => kv.Key));
}

/// <summary>Small fixtures the hostile tests share: a tiny ONNX model and a tiny training setup.</summary>
public static class HostileFixtures
{
    /// <summary>A random 4-channel, 1-block network exported to ONNX (with the weights checksum).</summary>
    public static string WriteTinyModel(string directory, string name = "tiny.onnx")
    {
        var arch = new TransformerArchitecture(4, 1);
        using var net = new TransformerNet(arch);
        string path = Path.Combine(directory, name);
        TransformerOnnxExporter.Write(path, arch, net.ExportWeights(), new ModelMetadata("tiny", "0", 0, "0", arch));
        return path;
    }

    /// <summary>A folder "photos" in <paramref name="directory"/> with one smooth image per (name, width, height).</summary>
    public static string WritePhotoFolder(string directory, params (string Name, int Width, int Height)[] images)
    {
        string folder = Path.Combine(directory, "photos");
        Directory.CreateDirectory(folder);
        foreach (var (image, seed) in images.Select((image, i) => (image, i)))
            Training.Tests.Fixtures.WriteImage(Path.Combine(folder, image.Name), image.Width, image.Height, seed);
        return folder;
    }

    /// <summary>
    /// Six 48x48 photos, a style image and a training config in <paramref name="directory"/> (as the
    /// trainer tests use: 32 px crops, batch 2, 4-channel network); returns the config path.
    /// </summary>
    public static string WriteTrainingSetup(string directory, string extra = "", int photos = 6, int checkpointEvery = 1000)
    {
        Directory.CreateDirectory(Path.Combine(directory, "images"));
        for (int i = 0; i < photos; i++) Training.Tests.Fixtures.WriteImage(Path.Combine(directory, "images", $"photo{i}.png"), 48, 48, seed: 100 + i);
        Training.Tests.Fixtures.WriteImage(Path.Combine(directory, "style.png"), 32, 32, seed: 99);
        string config = $$"""
            style_image: style.png
            dataset: images
            image_size: 32
            style_size: 32
            batch_size: 2
            learning_rate: 0.01
            steps: 1000
            seed: 3
            precision: fp32
            network: {width: 0.125, residual_blocks: 1}
            checkpoint_every: {{checkpointEvery}}
            sample_every: 0
            log_every: 1
            loss:
              network: vgg19
              content_layers: {relu2_2: 1}
              style_layers: {relu1_1: 0.5, relu2_1: 0.5}
              content_weight: 1
              style_weight: 1e5
              tv_weight: 0
            {{extra}}
            """;
        string path = Path.Combine(directory, "config.yaml");
        File.WriteAllText(path, config);
        return path;
    }
}
