namespace FastStyle.Inference;

/// <summary>One style a network holds: its name and the sha256 of the painting it was trained on.</summary>
public sealed record StyleEntry(string Name, string ImageSha256);

/// <summary>A style list that compares by content, so records holding one (<see cref="ModelMetadata"/>) keep value equality.</summary>
public sealed class StyleEntries(IEnumerable<StyleEntry> styles) : System.Collections.ObjectModel.ReadOnlyCollection<StyleEntry>(styles.ToList()), IEquatable<StyleEntries>
{
    public bool Equals(StyleEntries? other) => other is not null && this.SequenceEqual(other);

    public override bool Equals(object? obj) => Equals(obj as StyleEntries);

    public override int GetHashCode() => this.Aggregate(Count, (hash, s) => HashCode.Combine(hash, s));

    public override string ToString() => string.Join(", ", this.Select(s => s.Name));
}
