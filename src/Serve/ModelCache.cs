using System.Collections.Concurrent;
using FastStyle.Inference;

namespace FastStyle.Serve;

/// <summary>
/// The models of --models by name (file stem), each loaded once on first use and kept: loading
/// verifies the weights' SHA-256 and builds an ONNX Runtime session, which should not be paid per
/// request. The folder is listed on every call, so a model exported while the server runs shows up.
/// </summary>
public sealed class ModelCache(ServeOptions options) : IDisposable
{
    readonly ConcurrentDictionary<string, Lazy<Stylizer>> loaded = new();

    public IReadOnlyList<string> Names() => ModelLocator.ShippedNames(options.ModelsDirectory);

    /// <summary>The model called <paramref name="name"/> (one of <see cref="Names"/>), else a 400 naming the choices.</summary>
    public Stylizer Get(string? name)
    {
        var names = Names();
        if (string.IsNullOrEmpty(name))
            name = names.Contains(ModelLocator.DefaultStyle) ? ModelLocator.DefaultStyle : names.FirstOrDefault();
        if (name == null || !names.Contains(name))
            throw new HttpError(400, $"model '{name}': not in the models folder (models: {string.Join(", ", names)})");
        string path = Path.Combine(options.ModelsDirectory, name + ".onnx");
        var lazy = loaded.GetOrAdd(path, p => new Lazy<Stylizer>(() => Stylizer.Load(p)));
        try { return lazy.Value; }
        catch { loaded.TryRemove(path, out _); throw; } // a bad file is reported each time, not cached
    }

    public void Dispose()
    {
        foreach (var lazy in loaded.Values)
            if (lazy.IsValueCreated) lazy.Value.Dispose();
    }
}
