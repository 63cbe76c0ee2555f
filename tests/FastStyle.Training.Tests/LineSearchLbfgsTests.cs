using FastStyle.Training.Optimization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FastStyle.Training.Tests;

/// <summary>
/// <see cref="LineSearchLbfgs"/> on functions whose minimum is known by hand: it must get there,
/// not only lower the loss. Each <see cref="LineSearchLbfgs.Step"/> is one loss+gradient evaluation.
/// </summary>
public class LineSearchLbfgsTests
{
    /// <summary>Runs <paramref name="evaluations"/> steps of L-BFGS (history 10) on f from x0; returns the last accepted point and its loss.</summary>
    static (float[] Point, double Loss) Minimise(Func<Tensor, Tensor> f, float[] x0, int evaluations)
    {
        using var scope = torch.NewDisposeScope();
        var x = new Parameter(torch.tensor(x0), requires_grad: true);
        using var lbfgs = new LineSearchLbfgs(x, historySize: 10);
        for (int i = 0; i < evaluations; i++)
        {
            lbfgs.Step(() =>
            {
                using var step = torch.NewDisposeScope();
                x.grad?.zero_();
                var loss = f(x);
                loss.backward();
                return loss.item<float>();
            });
        }
        lbfgs.RestoreAccepted();
        using var _ = torch.no_grad();
        return (x.detach().data<float>().ToArray(), f(x).item<float>());
    }

    /// <summary>0.5 * sum d_i (x_i - c_i)^2 with curvatures 1..100: minimum 0 at c.</summary>
    static Tensor Quadratic(Tensor x)
        => 0.5 * (torch.tensor(new float[] { 1, 10, 100, 3 }) * (x - torch.tensor(new float[] { 0.3f, -0.2f, 0.45f, 0.1f })).square()).sum();

    /// <summary>Rosenbrock (1960): (1 - x)^2 + 100 (y - x^2)^2, minimum 0 at (1, 1) at the end of a curved valley.</summary>
    static Tensor Rosenbrock(Tensor p)
    {
        var x = p[0];
        var y = p[1];
        return (1 - x).square() + 100 * (y - x.square()).square();
    }

    [Fact]
    public void Reaches_the_minimum_of_an_ill_conditioned_quadratic()
    {
        var (point, loss) = Minimise(Quadratic, [0, 0, 0, 0], evaluations: 40);
        float[] expected = [0.3f, -0.2f, 0.45f, 0.1f];
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(point[i] - expected[i]) < 1e-4, $"x[{i}] = {point[i]}, minimum at {expected[i]}");
        Assert.True(loss < 1e-8, $"loss {loss}");
    }

    [Fact]
    public void Reaches_the_minimum_of_the_Rosenbrock_function_from_the_classic_start()
    {
        var (point, loss) = Minimise(Rosenbrock, [-1.2f, 1f], evaluations: 150);
        Assert.True(Math.Abs(point[0] - 1) < 1e-3 && Math.Abs(point[1] - 1) < 2e-3, $"ended at ({point[0]}, {point[1]}), minimum at (1, 1)");
        Assert.True(loss < 1e-6, $"loss {loss}");
    }

    [Fact]
    public void The_accepted_point_never_gets_worse_when_a_trial_step_overshoots()
    {
        // Rosenbrock's curved valley makes full quasi-Newton steps overshoot now and then; the
        // Armijo line search must reject those trials instead of accepting a higher loss.
        using var scope = torch.NewDisposeScope();
        var x = new Parameter(torch.tensor(new[] { -1.2f, 1f }), requires_grad: true);
        using var lbfgs = new LineSearchLbfgs(x, historySize: 10);
        double best = double.PositiveInfinity;
        int rejected = 0;
        for (int i = 0; i < 150; i++)
        {
            double trial = 0;
            lbfgs.Step(() =>
            {
                x.grad?.zero_();
                var loss = Rosenbrock(x);
                loss.backward();
                return trial = loss.item<float>();
            });
            if (trial > best) rejected++;
            using var _ = torch.no_grad();
            double accepted = Rosenbrock(lbfgs.AcceptedPoint!).item<float>();
            Assert.True(accepted <= best, $"evaluation {i + 1}: accepted loss rose from {best} to {accepted}");
            best = accepted;
        }
        Assert.True(rejected > 0, "no trial overshot: the test did not exercise the line search");
    }
}
