using System.Text.Json.Nodes;
using FastStyle.Training.Runs;
using TorchSharp;
using TorchSharp.Modules;

namespace FastStyle.Training.Tests;

/// <summary>
/// <see cref="AdamOptimizer"/> step by step against torch.optim.Adam: the same gradients in, the
/// same parameters and moments out. The reference trajectory was generated once by
/// scripts/fixtures/adam_reference.py (Debian's python3-torch) and is stored in Fixtures/adam_reference.json.
/// </summary>
public class AdamOptimizerTests
{
    /// <summary>float32 rounding differs between the two implementations' operation orders; a real deviation is orders larger.</summary>
    const double Tolerance = 1e-6;

    sealed record Run(List<Dictionary<string, float[]>> ParametersAfterEachStep, Dictionary<string, float[]> State);

    static JsonNode Case(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "adam_reference.json");
        return JsonNode.Parse(File.ReadAllText(path))!["cases"]!.AsArray().Single(c => (string)c!["name"]! == name)!;
    }

    static float[] Floats(JsonNode? values) => values!.AsArray().Select(v => (float)(double)v!).ToArray();

    /// <summary>Replays the case's gradients through our Adam with the case's hyperparameters.</summary>
    static Run Replay(JsonNode reference)
    {
        using var scope = torch.NewDisposeScope();
        var shapes = reference["shapes"]!.AsObject().ToDictionary(kv => kv.Key, kv => kv.Value!.AsArray().Select(d => (long)d!).ToArray());
        var parameters = shapes.ToDictionary(kv => kv.Key, kv => new Parameter(torch.tensor(Floats(reference["initial"]![kv.Key]), kv.Value)));
        using var adam = new AdamOptimizer(parameters.Select(kv => (kv.Key, kv.Value)), (double)reference["lr"]!,
            beta1: (double)reference["beta1"]!, beta2: (double)reference["beta2"]!, epsilon: (double)reference["eps"]!);
        var after = new List<Dictionary<string, float[]>>();
        foreach (var step in reference["steps"]!.AsArray())
        {
            adam.ZeroGrad();
            // d/dp sum(p * g) = g exactly: the gradients torch's Adam was given.
            var loss = parameters.Select(kv => (kv.Value * torch.tensor(Floats(step!["gradients"]![kv.Key]), shapes[kv.Key])).sum()).Aggregate((a, b) => a + b);
            loss.backward();
            adam.Update();
            after.Add(parameters.ToDictionary(kv => kv.Key, kv => kv.Value.detach().data<float>().ToArray()));
        }
        return new Run(after, adam.ExportState().ToDictionary(t => t.Name, t => t.Values));
    }

    static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double allowed = Tolerance * Math.Max(1, Math.Abs(expected[i]));
            Assert.True(Math.Abs(expected[i] - actual[i]) <= allowed, $"{what}[{i}]: torch {expected[i]:R}, ours {actual[i]:R}");
        }
    }

    [Theory]
    [InlineData("defaults")]
    [InlineData("custom")]
    public void Parameters_after_every_step_match_torch_optim_Adam(string name)
    {
        var reference = Case(name);
        var run = Replay(reference);
        var steps = reference["steps"]!.AsArray();
        Assert.Equal(steps.Count, run.ParametersAfterEachStep.Count);
        for (int s = 0; s < steps.Count; s++)
            foreach (var (parameter, values) in run.ParametersAfterEachStep[s])
                AssertClose(Floats(steps[s]!["parameters"]![parameter]), values, $"{name} step {s + 1} '{parameter}'");
    }

    [Theory]
    [InlineData("defaults")]
    [InlineData("custom")]
    public void Checkpointed_moments_match_torchs_exp_avg_and_exp_avg_sq(string name)
    {
        var reference = Case(name);
        var run = Replay(reference);
        foreach (var (parameter, moments) in reference["moments"]!.AsObject())
        {
            AssertClose(Floats(moments!["m"]), run.State["adam.m." + parameter], $"{name} exp_avg '{parameter}'");
            AssertClose(Floats(moments["v"]), run.State["adam.v." + parameter], $"{name} exp_avg_sq '{parameter}'");
        }
    }

    [Fact]
    public void A_rate_scale_multiplies_that_parameters_steps_and_leaves_its_moments_alone()
    {
        using var scope = torch.NewDisposeScope();
        float[] start = [0.5f, -1f, 2f];
        var plain = new Parameter(torch.tensor(start));
        var scaled = new Parameter(torch.tensor(start));
        using var adam = new AdamOptimizer([("plain", plain), ("scaled", scaled)], 0.01, rateScale: name => name == "scaled" ? 3.0 : 1.0);
        foreach (var gradient in new[] { new[] { 1f, -2f, 0.5f }, new[] { -0.3f, 0.7f, 2f }, new[] { 0.1f, 0.1f, -1f } })
        {
            adam.ZeroGrad();
            var g = torch.tensor(gradient);
            ((plain * g).sum() + (scaled * g).sum()).backward();
            adam.Update();
        }
        var plainMoved = plain.detach().data<float>().ToArray().Zip(start, (p, s) => p - s).ToArray();
        var scaledMoved = scaled.detach().data<float>().ToArray().Zip(start, (p, s) => p - s).ToArray();
        for (int i = 0; i < start.Length; i++)
            Assert.Equal(3 * plainMoved[i], scaledMoved[i], 1e-5);
        var state = adam.ExportState().ToDictionary(t => t.Name, t => t.Values);
        Assert.Equal(state["adam.m.plain"], state["adam.m.scaled"]);
        Assert.Equal(state["adam.v.plain"], state["adam.v.scaled"]);
    }
}
