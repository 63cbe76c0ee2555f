using FastStyle.Data;

namespace FastStyle.Inference;

/// <summary>ONNX Runtime session settings for a <see cref="Stylizer"/>.</summary>
/// <param name="IntraOpThreads">Threads used inside one operator (convolutions); null = Environment.ProcessorCount.</param>
/// <param name="Winograd">Compute the 3x3 residual convolutions by Winograd F(4x4,3x3)
/// (<see cref="Onnx.WinogradRewrite"/>); null = the FASTSTYLE_WINOGRAD switch if set, else where it
/// was measured faster (<see cref="WinogradF4x3.PaysOn"/>).</param>
public sealed record StylizerOptions(int? IntraOpThreads = null, bool? Winograd = null)
{
    internal int ResolvedIntraOpThreads => IntraOpThreads is > 0 ? IntraOpThreads.Value : Environment.ProcessorCount;

    internal bool ResolvedWinograd => Winograd ?? WinogradF4x3.Use(CpuFeatures.Current, WinogradF4x3.Forced);
}
