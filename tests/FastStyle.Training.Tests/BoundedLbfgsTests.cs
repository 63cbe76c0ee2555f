using FastStyle.Training.Optimization;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace FastStyle.Training.Tests;

/// <summary>L-BFGS with box bounds (the pixel range): projected steps, the constrained minimum, a loss that never rises (issue 12, item 18).</summary>
public class BoundedLbfgsTests
{
    static readonly float[] Centre = [-0.5f, 0.3f, 1.7f, 0.9f];

    /// <summary>f(x) = sum w_i (x_i - c_i)^2, whose box-constrained minimum is clamp(c, 0, 1).</summary>
    static (double[] X, List<double> Losses, List<float[]> Points) Minimise((double, double)? bounds, int iterations)
    {
        using var scope = torch.NewDisposeScope();
        var centre = torch.tensor(Centre);
        var weights = torch.tensor(new float[] { 1f, 3f, 0.5f, 2f });
        var x = new TorchSharp.Modules.Parameter(torch.full(4, 0.5f), requires_grad: true);
        using var lbfgs = new LineSearchLbfgs(x, 10, bounds);
        var losses = new List<double>();
        var points = new List<float[]>();
        for (int i = 0; i < iterations; i++)
            lbfgs.Step(() =>
            {
                x.grad?.zero_();
                var f = ((x - centre).square() * weights).sum();
                f.backward();
                points.Add(x.detach().data<float>().ToArray());
                losses.Add(f.item<float>());
                return losses[^1];
            });
        lbfgs.RestoreAccepted();
        return (x.detach().data<float>().Select(v => (double)v).ToArray(), losses, points);
    }

    [Fact]
    public void Reaches_the_box_constrained_minimum()
    {
        var (x, _, _) = Minimise((0, 1), 30);
        double[] expected = [0, 0.3, 1, 0.9];
        for (int i = 0; i < x.Length; i++) Assert.True(Math.Abs(x[i] - expected[i]) < 1e-4, $"x[{i}] = {x[i]}, expected {expected[i]}");
    }

    [Fact]
    public void Every_evaluated_point_lies_inside_the_bounds()
    {
        var (_, _, points) = Minimise((0, 1), 30);
        Assert.All(points, p => Assert.All(p, v => Assert.InRange(v, 0f, 1f)));
    }

    [Fact]
    public void Without_bounds_it_reaches_the_unconstrained_minimum()
    {
        var (x, _, _) = Minimise(null, 30);
        for (int i = 0; i < x.Length; i++) Assert.True(Math.Abs(x[i] - Centre[i]) < 1e-4, $"x[{i}] = {x[i]}, expected {Centre[i]}");
    }

    [Fact]
    public void Best_loss_so_far_never_rises_and_ends_at_the_constrained_optimum()
    {
        var (_, losses, _) = Minimise((0, 1), 30);
        // Constrained optimum: 1*(0.5)^2 + 0.5*(0.7)^2 = 0.495.
        Assert.True(Math.Abs(losses.Min() - 0.495) < 1e-4, $"best loss {losses.Min()}");
    }
}
