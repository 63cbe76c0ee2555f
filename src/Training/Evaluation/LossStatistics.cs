using System.Globalization;
using MathNet.Numerics.Statistics;

namespace FastStyle.Training.Evaluation;

/// <summary>Mean and spread of one quantity over images. <see cref="StandardDeviation"/> is null for a single image.</summary>
public sealed record MeanStd(double Mean, double? StandardDeviation, int Count)
{
    /// <summary>
    /// Sample standard deviation (n-1 denominator, MathNet's <c>Statistics.MeanStandardDeviation</c>):
    /// the images are a sample of the content one cares about, so the unbiased estimate is the
    /// honest spread. With one image it is undefined and reported as null rather than 0.
    /// </summary>
    public static MeanStd Of(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0) return new MeanStd(double.NaN, null, 0);
        var (mean, std) = values.MeanStandardDeviation();
        return new MeanStd(mean, values.Count > 1 && double.IsFinite(std) ? std : null, values.Count);
    }

    public string Format(string format = "G4")
        => StandardDeviation is { } s ? $"{Mean.ToString(format, CultureInfo.InvariantCulture)} ± {s.ToString(format, CultureInfo.InvariantCulture)}"
            : Mean.ToString(format, CultureInfo.InvariantCulture);
}
