using FastStyle.Data.Weights;
using FastStyle.Training.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FastStyle.Training.Runs;

/// <summary>
/// Adam (Kingma &amp; Ba 2015) over named parameters, with its moments exposed by name so a
/// checkpoint stores and restores them exactly (field notes: resume without optimizer state is a
/// top complaint). The update is the textbook one with bias correction, as torch.optim.Adam.
/// </summary>
public sealed class AdamOptimizer : IDisposable
{
    readonly (string name, Parameter parameter, Tensor m, Tensor v, double rateScale)[] slots;
    readonly double beta1, beta2, epsilon;

    public double LearningRate { get; set; }
    public long Step { get; private set; }

    /// <param name="rateScale">Per parameter name, a factor on <see cref="LearningRate"/> (null: 1 for all).</param>
    public AdamOptimizer(IEnumerable<(string name, Parameter parameter)> parameters, double learningRate,
        double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8, Func<string, double>? rateScale = null)
    {
        slots = parameters.Select(p => (p.name, p.parameter, torch.zeros_like(p.parameter).DetachFromDisposeScope(), torch.zeros_like(p.parameter).DetachFromDisposeScope(),
            rateScale?.Invoke(p.name) ?? 1.0)).ToArray();
        LearningRate = learningRate;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
    }

    public void ZeroGrad()
    {
        foreach (var s in slots) s.parameter.grad?.zero_();
    }

    public void Update()
    {
        Step++;
        double correction1 = 1 - Math.Pow(beta1, Step);
        double correction2 = 1 - Math.Pow(beta2, Step);
        double stepSize = LearningRate / correction1;
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        foreach (var (_, p, m, v, rateScale) in slots)
        {
            var g = p.grad;
            if (g is null) continue;
            m.mul_(beta1).add_(g, alpha: 1 - beta1);
            v.mul_(beta2).addcmul_(g, g, 1 - beta2);
            var denominator = (v / correction2).sqrt_().add_(epsilon);
            p.addcdiv_(m, denominator, -stepSize * rateScale);
        }
    }

    public IEnumerable<TensorData> ExportState()
    {
        foreach (var (name, _, m, v, _) in slots)
        {
            yield return TensorDataCopies.ToData("adam.m." + name, m);
            yield return TensorDataCopies.ToData("adam.v." + name, v);
        }
    }

    public void ImportState(IReadOnlyDictionary<string, TensorData> tensors, long step, string source)
    {
        using var _ = torch.no_grad();
        foreach (var (name, _, m, v, _) in slots)
        {
            Copy(m, "adam.m." + name);
            Copy(v, "adam.v." + name);
        }
        Step = step;

        void Copy(Tensor target, string key)
        {
            if (!tensors.TryGetValue(key, out var data) || !data.Shape.SequenceEqual(target.shape))
                throw new Data.FastStyleError($"checkpoint '{source}': optimizer state '{key}' missing or of the wrong shape");
            TensorDataCopies.CopyInto(target, data);
        }
    }

    public void Dispose()
    {
        foreach (var s in slots)
        {
            s.m.Dispose();
            s.v.Dispose();
        }
    }
}
