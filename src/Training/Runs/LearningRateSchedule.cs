using System.Globalization;
using FastStyle.Inference;
using FastStyle.Training.Config;

namespace FastStyle.Training.Runs;

public enum ScheduleKind { [Spelled("constant")] Constant, [Spelled("cosine")] Cosine }

/// <summary>
/// The learning rate at each step: an optional linear warm-up, then constant or a cosine decay
/// (Loshchilov &amp; Hutter 2017) from <c>decay_start</c> to the config's last step. A pure function of
/// the step, so a resumed run continues on exactly the curve it left. The decay ends at the config's
/// `steps`, not at --max-steps, so stopping early to look at a run does not change its schedule.
/// </summary>
public sealed record LearningRateSchedule
{
    public ScheduleKind Kind { get; init; } = ScheduleKind.Constant;
    /// <summary>Steps over which the rate rises linearly from 0 to learning_rate.</summary>
    public int WarmupSteps { get; init; }
    /// <summary>The step the cosine decay starts at (0: from the start, after warm-up).</summary>
    public int DecayStart { get; init; }
    /// <summary>The rate at the last step, as a fraction of learning_rate.</summary>
    public double FinalFraction { get; init; } = 0.01;

    public static LearningRateSchedule Defaults { get; } = new();

    /// <summary>The rate for step <paramref name="step"/> (1-based: the step about to be taken).</summary>
    public double At(long step, double learningRate, long lastStep)
    {
        double rate = learningRate;
        if (Kind == ScheduleKind.Cosine)
        {
            long start = Math.Max(DecayStart, WarmupSteps);
            long span = lastStep - start;
            if (span > 0 && step > start)
            {
                double progress = Math.Min(1.0, (double)(step - start) / span);
                rate = learningRate * (FinalFraction + (1 - FinalFraction) * 0.5 * (1 + Math.Cos(Math.PI * progress)));
            }
        }
        if (WarmupSteps > 0 && step <= WarmupSteps) rate *= (double)step / WarmupSteps;
        return rate;
    }

    /// <summary>An lr_schedule section; keys it leaves out take <paramref name="d"/>'s values.</summary>
    internal static LearningRateSchedule Read(YamlSection section, LearningRateSchedule d)
    {
        var schedule = new LearningRateSchedule
        {
            Kind = section.Choice("kind", d.Kind),
            WarmupSteps = section.Int("warmup_steps", d.WarmupSteps, min: 0),
            DecayStart = section.Int("decay_start", d.DecayStart, min: 0),
            FinalFraction = section.Double("final_fraction", d.FinalFraction, min: 0, max: 1),
        };
        section.RejectUnknownKeys();
        return schedule;
    }

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"lr_schedule: {EnumText<ScheduleKind>.Of(Kind)}, warmup_steps {WarmupSteps}, decay_start {DecayStart}, final_fraction {FinalFraction:R}");
}
