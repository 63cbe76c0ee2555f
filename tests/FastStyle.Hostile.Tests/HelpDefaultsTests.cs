using System.Text.RegularExpressions;
using FastStyle.Training.Evaluation;
using FastStyle.Training.Optimization;
using FastStyle.Training.Runs;

namespace FastStyle.Hostile.Tests;

/// <summary>Each default is defined once, in the library; `--help` must print that value, not a copy.</summary>
public sealed class HelpDefaultsTests
{
    /// <summary>The help text with line wraps and indentation collapsed, so a wrapped "(default\n  256)" still matches.</summary>
    static string Help(string command)
    {
        var run = Cli.Run(command, "--help");
        Assert.Equal(0, run.Code);
        return Regex.Replace(run.Stdout, @"\s+", " ");
    }

    [Fact]
    public void Compare_help_prints_CompareRequest_defaults()
    {
        string help = Help("compare");
        Assert.Contains($"(default {CompareRequest.DefaultSize})", help);
        Assert.Contains($"(default {string.Join(",", CheckpointList.Default)})", help);
        Assert.Contains($"[default: {CompareRequest.DefaultInit.ToString().ToLowerInvariant()}]", help);
        Assert.Contains($"[default: {CompareRequest.DefaultSeed}]", help);
    }

    [Fact]
    public void Optimize_help_prints_OptimizeRequest_and_OptimizeOptions_defaults()
    {
        string help = Help("optimize");
        Assert.Contains($"(default {OptimizeRequest.DefaultSize})", help);
        Assert.Contains($"(default {OptimizeOptions.DefaultIterations})", help);
        Assert.Contains($"[default: {OptimizeOptions.DefaultOptimizer.ToString().ToLowerInvariant()}]", help);
        Assert.Contains($"[default: {OptimizeOptions.DefaultInit.ToString().ToLowerInvariant()}]", help);
        Assert.Contains($"[default: {OptimizeRequest.DefaultPrecision.ToString().ToLowerInvariant()}]", help);
    }

    [Fact]
    public void Evaluate_help_prints_EvaluateRequest_default_size()
        => Assert.Contains($"(default {EvaluateRequest.DefaultSize})", Help("evaluate"));

    [Fact]
    public void Train_help_names_the_library_run_folder()
        => Assert.Contains($"{RunLayout.RunsFolder}/<style_name>", Help("train"));
}
