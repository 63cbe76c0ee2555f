using System.Collections;
using System.IO.Compression;
using FastStyle.Data;
using FastStyle.Data.Weights;
using FastStyle.Training.Tensors;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace FastStyle.Training.Weights;

/// <summary>
/// PyTorch state dicts saved with `torch.save(model.state_dict(), path)` (.pth/.pt, the zip format
/// of PyTorch 1.6 and later), read and written with TorchSharp.PyBridge.
///
/// Safety: a pickle is a program, and Python's own `torch.load` runs whatever callables it names.
/// PyBridge's unpickler (Razorvine.Pickle) runs no Python at all: it maps the few globals a state dict
/// needs (tensor rebuild, OrderedDict) to .NET constructors and turns any other global into an inert
/// dictionary, failing when the pickle tries to call it. On top of that every entry must come out as
/// a named tensor, so a file that smuggles in anything else is refused with one line naming the file.
/// </summary>
internal static class PyTorchStateDict
{
    /// <summary>A zip local-file header, the first bytes of every torch.save file since PyTorch 1.6.</summary>
    static ReadOnlySpan<byte> ZipMagic => [0x50, 0x4B, 0x03, 0x04];

    /// <summary>
    /// The first bytes of torch.save's legacy (pre-1.6) format: pickle PROTO 2, then LONG1 with 10 bytes
    /// (its magic number follows). Read as a safetensors header length they would claim 176 MB, more
    /// than <see cref="SafetensorsFile.MaxHeaderBytes"/>, so no valid safetensors file starts this way.
    /// </summary>
    static ReadOnlySpan<byte> LegacyMagic => [0x80, 0x02, 0x8A, 0x0A];

    /// <summary>True when the file starts like a torch.save file, current or legacy (safetensors starts with a header length).</summary>
    public static bool IsPyTorchFile(string path)
    {
        var head = Head(path);
        return head.AsSpan().SequenceEqual(ZipMagic) || head.AsSpan().SequenceEqual(LegacyMagic);
    }

    static byte[] Head(string path)
    {
        byte[] head = new byte[4];
        using var stream = File.OpenRead(path);
        return stream.ReadAtLeast(head, 4, throwOnEndOfStream: false) == 4 ? head : [];
    }

    /// <summary>Every tensor of the state dict as float32, keyed by its state-dict name.</summary>
    public static Dictionary<string, TensorData> Read(string path)
    {
        if (!File.Exists(path)) throw new FastStyleError($"weights '{path}': file not found");
        string Fail(string problem) => throw new FastStyleError($"weights '{path}': not a readable PyTorch state dict ({problem})");

        byte[] head = Head(path);
        if (!head.AsSpan().SequenceEqual(ZipMagic))
            Fail(head.AsSpan().SequenceEqual(LegacyMagic)
                // torchvision's original VGG files (2017) and pytorch/examples' saved_models predate the zip format;
                // TorchSharp.PyBridge reads only the zip format, and a second pickle reader is not worth its risk.
                ? "saved in PyTorch's legacy pre-1.6 format, which FastStyle cannot read (TorchSharp.PyBridge reads the zip format of PyTorch >= 1.6); convert it once with " +
                  $"python3 -c \"import torch; torch.save(torch.load('{path}'), 'converted.pth')\" and use converted.pth"
                : "not a zip archive; expected a file written by torch.save(model.state_dict(), path)");

        using var scope = torch.NewDisposeScope();
        Hashtable table;
        try
        {
            using var stream = File.OpenRead(path);
            table = PyTorchUnpickler.UnpickleStateDict(stream, leaveOpen: false, skipTensorRead: false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Fail(Describe(e));
            return null!;
        }

        var result = new Dictionary<string, TensorData>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in table)
        {
            if (entry.Key is not string name) { Fail($"a key is a {entry.Key?.GetType().Name ?? "null"}, not a tensor name"); return null!; }
            if (entry.Value is not Tensor tensor)
            {
                Fail($"entry '{name}' is {Describe(entry.Value)}, not a tensor; only plain state dicts (torch.save(model.state_dict(), path)) are read");
                return null!;
            }
            if (!tensor.is_floating_point())
            {
                Fail($"entry '{name}' holds {tensor.dtype} values, expected floating-point weights");
                return null!;
            }
            result[name] = TensorDataCopies.ToData(name, tensor);
        }
        return result;
    }

    /// <summary>Writes the tensors (float32, in the given order) as a state dict `torch.load` reads, atomically.</summary>
    public static void Write(string path, IEnumerable<TensorData> tensors)
    {
        using var scope = torch.NewDisposeScope();
        // PyBridge pickles an IDictionary in its enumeration order: keep the network's order, as PyTorch would.
        var dict = new System.Collections.Specialized.OrderedDictionary(StringComparer.Ordinal);
        foreach (var t in tensors) dict.Add(t.Name, torch.tensor(t.Values, t.Shape));
        AtomicFile.Write(path, stream => PyTorchPickler.PickleStateDict(stream, dict, leaveOpen: true));
    }

    /// <summary>One line for a failure inside the unpickler, worded for the user rather than for PyBridge's developers.</summary>
    static string Describe(Exception e)
    {
        string message = e.Message.ReplaceLineEndings(" ");
        // Razorvine: "expected zero arguments for construction of ClassDict (for posix.system). This happens when..."
        int at = message.IndexOf("ClassDict (for ", StringComparison.Ordinal);
        if (at >= 0)
        {
            int start = at + "ClassDict (for ".Length, end = message.IndexOf(')', start);
            string global = end > start ? message[start..end] : "?";
            return $"it calls the Python object '{global}', which a state dict never needs; refused, nothing was run";
        }
        return e switch
        {
            InvalidDataException => $"damaged or truncated zip archive: {message}",
            _ when message.Contains("entire model", StringComparison.Ordinal) =>
                "it holds a whole pickled model, not a state dict; save it with torch.save(model.state_dict(), path)",
            _ => $"{e.GetType().Name}: {message}",
        };
    }

    static string Describe(object? value) => value switch
    {
        null => "None",
        Razorvine.Pickle.Objects.ClassDict c => $"a Python object '{c.ClassName}'",
        IDictionary => "a nested dictionary",
        _ => $"a {value.GetType().Name}",
    };
}
