using FastStyle.Data;
using FastStyle.Data.Imaging;

namespace FastStyle.Inference;

/// <summary>One input file and the file its result goes to.</summary>
public sealed record StylizeItem(string Input, string Output);

/// <summary>What happened to one item: the output written, or the one-line error.</summary>
public sealed record StylizeOutcome(StylizeItem Item, string? Error, int Width, int Height, double Seconds);

/// <summary>
/// `faststyle stylize` as a library call: expands folders, maps inputs to outputs, runs the model
/// and writes each result atomically. One unreadable input does not stop a folder: it is reported
/// and the rest continue (nothing silently lost, nothing half-written). Files are read and written
/// through an <see cref="IImageCodec"/> (the CLI passes FastStyle.Data's SkiaImageCodec), so this
/// package carries no imaging library.
/// </summary>
public static class StylizeJob
{
    /// <summary>
    /// Output is a folder when it already is one, ends with a separator, or there are several inputs
    /// (or a folder input); then each result is named after its input's stem.
    /// </summary>
    /// <param name="overwrite">Allow a result to replace its own input (`stylize dir -o dir`); refused otherwise.</param>
    public static IReadOnlyList<StylizeItem> Plan(IReadOnlyList<string> inputs, string output, IImageCodec codec, bool overwrite = false)
    {
        var items = PlanItems(inputs, output, codec);
        foreach (var item in items) OutputGuard.RefuseInputs([item.Output], items.Select(i => i.Input), overwrite);
        return items;
    }

    static List<StylizeItem> PlanItems(IReadOnlyList<string> inputs, string output, IImageCodec codec)
    {
        if (inputs.Count == 0) throw new FastStyleError("stylize: no input images given");
        var files = new List<string>();
        foreach (var input in inputs)
        {
            if (Directory.Exists(input))
            {
                var found = Directory.EnumerateFiles(input).Where(f => codec.ReadableExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                    .OrderBy(f => f, StringComparer.Ordinal).ToList();
                if (found.Count == 0) throw new FastStyleError($"input folder '{input}': no images in it ({string.Join(" ", codec.ReadableExtensions)})");
                files.AddRange(found);
            }
            else if (File.Exists(input)) files.Add(input);
            else throw new FastStyleError($"image '{input}': file not found");
        }
        bool toFolder = Directory.Exists(output) || output.EndsWith('/') || output.EndsWith(Path.DirectorySeparatorChar)
            || files.Count > 1 || inputs.Any(Directory.Exists);
        if (!toFolder)
        {
            codec.CheckWritable(output);
            return [new StylizeItem(files[0], output)];
        }
        if (File.Exists(output)) throw new FastStyleError($"output '{output}': is a file, but several inputs need an output folder");
        var items = files.Select(f => new StylizeItem(f, Path.Combine(output, Path.GetFileNameWithoutExtension(f) + OutputExtension(f)))).ToList();
        var clash = items.GroupBy(i => i.Output).FirstOrDefault(g => g.Count() > 1);
        if (clash != null)
            throw new FastStyleError($"output '{clash.Key}': inputs {string.Join(" and ", clash.Select(i => $"'{i.Input}'"))} would both be written there");
        return items;
    }

    /// <summary>Keeps the input's format when we can write it, else PNG.</summary>
    static string OutputExtension(string input) => Path.GetExtension(input).ToLowerInvariant() switch
    {
        ".jpg" or ".jpeg" or ".png" or ".webp" => Path.GetExtension(input),
        _ => ".png",
    };

    /// <summary>Runs every item; <paramref name="size"/> (longest side) resizes the input first, else the output has the input's size.</summary>
    public static IReadOnlyList<StylizeOutcome> Run(Stylizer stylizer, IReadOnlyList<StylizeItem> items, StyleSettings settings, int? size,
        IImageCodec codec, Action<StylizeOutcome>? onDone = null, CancellationToken cancel = default)
    {
        settings.Validate();
        var outcomes = new List<StylizeOutcome>();
        foreach (var item in items)
        {
            if (cancel.IsCancellationRequested) break;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            StylizeOutcome outcome;
            try
            {
                var content = codec.Load(item.Input, size);
                var result = stylizer.Stylize(content, settings, cancel);
                codec.Save(result, item.Output);
                outcome = new StylizeOutcome(item, null, result.Width, result.Height, clock.Elapsed.TotalSeconds);
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                break; // stopped between tiles: this image is abandoned, nothing of it was written
            }
            catch (FastStyleError e) when (items.Count > 1)
            {
                // In a batch the line must say which file failed, whatever the error's own wording.
                string message = e.Message.Contains(item.Input, StringComparison.Ordinal) ? e.Message : $"image '{item.Input}': {e.Message}";
                outcome = new StylizeOutcome(item, message, 0, 0, clock.Elapsed.TotalSeconds);
            }
            outcomes.Add(outcome);
            onDone?.Invoke(outcome);
        }
        return outcomes;
    }
}
