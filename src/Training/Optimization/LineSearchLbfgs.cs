using TorchSharp;
using static TorchSharp.torch;

namespace FastStyle.Training.Optimization;

/// <summary>
/// L-BFGS (Nocedal and Wright, Numerical Optimization, Alg. 7.4-7.5) with a backtracking Armijo
/// line search, for one parameter tensor. Each <see cref="Step"/> makes exactly one loss+gradient
/// evaluation, so "iterations" stay comparable with jcjohnson/neural-style and torch's
/// LBFGS(max_iter=1): an evaluation either accepts the trial point and proposes the next one, or
/// rejects it and halves the step.
/// Why not TorchSharp's LBFGS: without line search it diverged on the training-config objective
/// (loss 1.4e26 at iteration 2 on tubingen, content relu2_2 x1 + style x20), and TorchSharp offers
/// no strong-Wolfe option.
/// </summary>
public sealed class LineSearchLbfgs : IDisposable
{
    const double Armijo = 1e-4;
    const double MinStep = 1e-10;
    const double CurvatureEpsilon = 1e-10;
    const double MaxChange = 0.5;

    readonly Tensor parameter;
    readonly int historySize;
    readonly LinkedList<(Tensor S, Tensor Y, double Rho)> history = new();
    Tensor? accepted;          // last accepted point
    Tensor? acceptedGradient;
    double acceptedLoss;
    Tensor? direction;
    double directionalDerivative;
    double step;
    bool firstDirection = true;

    public LineSearchLbfgs(Tensor parameter, int historySize)
    {
        this.parameter = parameter;
        this.historySize = historySize;
    }

    /// <summary>The closure computes the loss at the parameter's current value and fills its gradient.</summary>
    public void Step(Func<double> closure)
    {
        double loss = closure();
        using var _ = torch.no_grad();
        var gradient = parameter.grad!.detach().flatten().clone().DetachFromDisposeScope();
        if (accepted is null)
        {
            Accept(loss, gradient);
            return;
        }
        bool sufficientDecrease = double.IsFinite(loss) && loss <= acceptedLoss + Armijo * step * directionalDerivative;
        if (sufficientDecrease)
        {
            var s = parameter.detach().flatten() - accepted;
            var y = gradient - acceptedGradient!;
            double ys = y.dot(s).item<float>();
            if (ys > CurvatureEpsilon) Remember(s.DetachFromDisposeScope(), y.DetachFromDisposeScope(), 1.0 / ys);
            else { s.Dispose(); y.Dispose(); }
            Accept(loss, gradient);
            return;
        }
        gradient.Dispose();
        step *= 0.5;
        if (step < MinStep)
        {
            // The quasi-Newton direction is useless here: forget the curvature pairs and restart from steepest descent.
            ClearHistory();
            firstDirection = true;
            Propose(acceptedGradient!);
            return;
        }
        MoveTo(step);
    }

    /// <summary>The last accepted point in the parameter's shape (a view; null before the first step).</summary>
    public Tensor? AcceptedPoint => accepted?.view(parameter.shape);

    /// <summary>Puts the last accepted (best) point back into the parameter; call after the last step.</summary>
    public void RestoreAccepted()
    {
        if (accepted is null) return;
        using var _ = torch.no_grad();
        parameter.copy_(accepted.view(parameter.shape));
    }

    void Accept(double loss, Tensor gradient)
    {
        accepted?.Dispose();
        acceptedGradient?.Dispose();
        accepted = parameter.detach().flatten().clone().DetachFromDisposeScope();
        acceptedGradient = gradient;
        acceptedLoss = loss;
        Propose(gradient);
    }

    void Propose(Tensor gradient)
    {
        direction?.Dispose();
        direction = TwoLoop(gradient).DetachFromDisposeScope();
        directionalDerivative = gradient.dot(direction).item<float>();
        if (!(directionalDerivative < 0))
        {
            // Not a descent direction (curvature pairs went stale): steepest descent.
            ClearHistory();
            direction.Dispose();
            direction = gradient.neg().DetachFromDisposeScope();
            directionalDerivative = -gradient.dot(gradient).item<float>();
            firstDirection = true;
        }
        // First step: scale like torch's L-BFGS (lr * min(1, 1/|g|_1)); later H0 = s'y/y'y scales the direction.
        step = firstDirection ? Math.Min(1.0, 1.0 / Math.Max(gradient.abs().sum().item<float>(), 1e-30)) : 1.0;
        firstDirection = false;
        // Pixels live in [0,1]: a trial that moves any pixel by more than MaxChange is certainly
        // rejected, so start the line search inside that range instead of spending evaluations on it.
        double largest = direction.abs().max().item<float>() * step;
        if (largest > MaxChange) step *= MaxChange / largest;
        MoveTo(step);
    }

    void MoveTo(double t)
    {
        parameter.copy_((accepted! + direction! * t).view(parameter.shape));
    }

    Tensor TwoLoop(Tensor gradient)
    {
        var q = gradient.neg();
        var alphas = new Stack<double>();
        for (var node = history.Last; node != null; node = node.Previous)
        {
            var (s, y, rho) = node.Value;
            double alpha = rho * s.dot(q).item<float>();
            alphas.Push(alpha);
            q.sub_(y * alpha);
        }
        if (history.Last is { } newest)
        {
            var (s, y, _) = newest.Value;
            q.mul_(s.dot(y).item<float>() / y.dot(y).item<float>());
        }
        for (var node = history.First; node != null; node = node.Next)
        {
            var (s, y, rho) = node.Value;
            double beta = rho * y.dot(q).item<float>();
            q.add_(s * (alphas.Pop() - beta));
        }
        return q;
    }

    void Remember(Tensor s, Tensor y, double rho)
    {
        history.AddLast((s, y, rho));
        if (history.Count > historySize)
        {
            var (oldS, oldY, _) = history.First!.Value;
            oldS.Dispose();
            oldY.Dispose();
            history.RemoveFirst();
        }
    }

    void ClearHistory()
    {
        foreach (var (s, y, _) in history) { s.Dispose(); y.Dispose(); }
        history.Clear();
    }

    public void Dispose()
    {
        ClearHistory();
        accepted?.Dispose();
        acceptedGradient?.Dispose();
        direction?.Dispose();
    }
}
