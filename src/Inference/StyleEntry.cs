namespace FastStyle.Inference;

/// <summary>One style a network holds: its name and the sha256 of the painting it was trained on.</summary>
public sealed record StyleEntry(string Name, string ImageSha256);
