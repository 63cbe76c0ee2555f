namespace FastStyle.Inference;

/// <summary>ONNX Runtime session settings for a <see cref="Stylizer"/>.</summary>
/// <param name="IntraOpThreads">Threads used inside one operator (convolutions); null = Environment.ProcessorCount.</param>
public sealed record StylizerOptions(int? IntraOpThreads = null)
{
    internal int ResolvedIntraOpThreads => IntraOpThreads is > 0 ? IntraOpThreads.Value : Environment.ProcessorCount;
}
