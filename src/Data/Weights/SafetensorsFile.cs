using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace FastStyle.Data.Weights;

/// <summary>
/// Our own reader/writer for the safetensors format (huggingface/safetensors: an 8-byte
/// little-endian header length, a JSON header {name: {dtype, shape, data_offsets}, "__metadata__"},
/// then the raw bytes). Reads F32, F16 and BF16 into float32; writes F32. Every structural rule is
/// checked, because a truncated download or a file from another tool must fail with a message that
/// says what is wrong, not with garbage weights.
/// </summary>
public sealed class SafetensorsFile
{
    /// <summary>Headers above this are not plausible for conv weights and hint at a corrupt length field.</summary>
    public const long MaxHeaderBytes = 100L * 1024 * 1024;

    public IReadOnlyDictionary<string, TensorData> Tensors { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }

    SafetensorsFile(IReadOnlyDictionary<string, TensorData> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        Tensors = tensors;
        Metadata = metadata;
    }

    public static SafetensorsFile Read(string path)
    {
        if (!File.Exists(path)) throw new FastStyleError($"weights '{path}': file not found");
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FastStyleError($"weights '{path}': cannot read ({e.Message})", e);
        }
        return Parse(bytes, path);
    }

    public static SafetensorsFile Parse(byte[] bytes, string source)
    {
        string Fail(string problem) => throw new FastStyleError($"weights '{source}': not a valid safetensors file ({problem})");
        if (bytes.Length < 8) Fail($"{bytes.Length} bytes, too short for the 8-byte header length");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength < 2 || headerLength > MaxHeaderBytes) Fail($"header length {headerLength} is out of bounds");
        if (8 + (long)headerLength > bytes.Length) Fail($"header length {headerLength} runs past the end of the {bytes.Length}-byte file");
        long dataStart = 8 + (long)headerLength;
        long dataLength = bytes.Length - dataStart;

        JsonDocument json;
        try { json = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength)); }
        catch (JsonException e) { Fail($"header is not valid JSON: {e.Message.Split('\n')[0]}"); return null!; }
        using var _ = json;
        if (json.RootElement.ValueKind != JsonValueKind.Object) Fail("header is not a JSON object");

        var metadata = new Dictionary<string, string>();
        var entries = new List<(string Name, string Dtype, long[] Shape, long Begin, long End)>();
        foreach (var property in json.RootElement.EnumerateObject())
        {
            if (property.Name == "__metadata__")
            {
                if (property.Value.ValueKind != JsonValueKind.Object) Fail("__metadata__ is not an object");
                foreach (var m in property.Value.EnumerateObject())
                {
                    if (m.Value.ValueKind != JsonValueKind.String) Fail($"__metadata__ value '{m.Name}' is not a string");
                    metadata[m.Name] = m.Value.GetString()!;
                }
                continue;
            }
            entries.Add(ReadEntry(property, Fail));
        }

        var tensors = new Dictionary<string, TensorData>();
        long previousEnd = 0;
        foreach (var e in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            long elements = 0, expected = 0;
            try { elements = e.Shape.Aggregate(1L, (a, b) => checked(a * b)); expected = checked(elements * ElementSize(e.Dtype)); }
            catch (OverflowException) { Fail($"tensor '{e.Name}' shape [{string.Join(",", e.Shape)}] is too large"); }
            if (e.End - e.Begin != expected)
                Fail($"tensor '{e.Name}' {e.Dtype} [{string.Join(",", e.Shape)}] needs {expected} bytes but its offsets span {e.End - e.Begin}");
            if (e.End > dataLength) Fail($"tensor '{e.Name}' ends at byte {e.End}, past the {dataLength} data bytes");
            if (e.Begin < previousEnd) Fail($"tensor '{e.Name}' overlaps the previous tensor");
            previousEnd = e.End;
            var span = bytes.AsSpan((int)(dataStart + e.Begin), (int)(e.End - e.Begin));
            tensors[e.Name] = new TensorData(e.Name, e.Shape, Decode(span, e.Dtype, elements));
        }
        return new SafetensorsFile(tensors, metadata);
    }

    static (string, string, long[], long, long) ReadEntry(JsonProperty property, Func<string, string> fail)
    {
        string name = property.Name;
        var v = property.Value;
        if (v.ValueKind != JsonValueKind.Object) fail($"entry '{name}' is not an object");
        if (!v.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String) fail($"tensor '{name}' has no dtype");
        string dtype = dtypeElement.GetString()!;
        if (dtype is not ("F32" or "F16" or "BF16")) fail($"tensor '{name}' has dtype {dtype}; supported: F32, F16, BF16");
        if (!v.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array) fail($"tensor '{name}' has no shape");
        var shape = new List<long>();
        foreach (var d in shapeElement.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long n) || n < 0) fail($"tensor '{name}' has an invalid shape dimension {d}");
            shape.Add(d.GetInt64());
        }
        if (!v.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
            fail($"tensor '{name}' needs data_offsets [begin, end]");
        long[] o = new long[2];
        int i = 0;
        foreach (var d in offsets.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out o[i]) || o[i] < 0) fail($"tensor '{name}' has an invalid data offset {d}");
            i++;
        }
        if (o[1] < o[0]) fail($"tensor '{name}' has data_offsets [{o[0]},{o[1]}] with end before begin");
        return (name, dtype, shape.ToArray(), o[0], o[1]);
    }

    static int ElementSize(string dtype) => dtype == "F32" ? 4 : 2;

    static float[] Decode(ReadOnlySpan<byte> bytes, string dtype, long elements)
    {
        var values = new float[elements];
        switch (dtype)
        {
            case "F32":
                MemoryMarshal.Cast<byte, float>(bytes).CopyTo(values);
                break;
            case "F16":
                var halves = MemoryMarshal.Cast<byte, Half>(bytes);
                for (int i = 0; i < values.Length; i++) values[i] = (float)halves[i];
                break;
            case "BF16":
                // bfloat16 is the top 16 bits of a float32.
                var raw = MemoryMarshal.Cast<byte, ushort>(bytes);
                for (int i = 0; i < values.Length; i++) values[i] = BitConverter.Int32BitsToSingle(raw[i] << 16);
                break;
        }
        return values;
    }

    /// <summary>Writes tensors (in the given order) and string metadata, atomically.</summary>
    /// <param name="storeAsBFloat16">tensors to store as BF16 (rounded to nearest even; half the bytes); all others are F32.</param>
    public static void Write(string path, IEnumerable<TensorData> tensors, IReadOnlyDictionary<string, string>? metadata = null,
        Func<string, bool>? storeAsBFloat16 = null)
        => AtomicFile.Write(path, stream => WriteTo(stream, tensors, metadata, storeAsBFloat16));

    public static void WriteTo(Stream stream, IEnumerable<TensorData> tensors, IReadOnlyDictionary<string, string>? metadata = null,
        Func<string, bool>? storeAsBFloat16 = null)
    {
        bool Half(TensorData t) => storeAsBFloat16?.Invoke(t.Name) == true;
        var list = tensors.ToList();
        var names = new HashSet<string>();
        using var headerStream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(headerStream))
        {
            writer.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                writer.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata) writer.WriteString(k, v);
                writer.WriteEndObject();
            }
            long offset = 0;
            foreach (var t in list)
            {
                if (!names.Add(t.Name)) throw new ArgumentException($"duplicate tensor name '{t.Name}'");
                if (t.ElementCount != t.Values.Length) throw new ArgumentException($"tensor '{t.Name}' shape {t.ShapeText} does not match its {t.Values.Length} values");
                writer.WriteStartObject(t.Name);
                int size = Half(t) ? 2 : 4;
                writer.WriteString("dtype", size == 2 ? "BF16" : "F32");
                writer.WriteStartArray("shape");
                foreach (var d in t.Shape) writer.WriteNumberValue(d);
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(offset + size * (long)t.Values.Length);
                writer.WriteEndArray();
                writer.WriteEndObject();
                offset += size * (long)t.Values.Length;
            }
            writer.WriteEndObject();
        }
        // Pad the header with spaces so the data starts 8-byte aligned (the format allows trailing whitespace).
        var header = headerStream.ToArray().ToList();
        while ((8 + header.Count) % 8 != 0) header.Add((byte)' ');
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Count);
        stream.Write(length);
        stream.Write(header.ToArray());
        foreach (var t in list)
            stream.Write(Half(t) ? MemoryMarshal.AsBytes(ToBFloat16(t.Values).AsSpan()) : MemoryMarshal.AsBytes(t.Values.AsSpan()));
    }

    /// <summary>float32 to bfloat16 (its top 16 bits), rounded to nearest even; NaN stays NaN.</summary>
    public static ushort[] ToBFloat16(ReadOnlySpan<float> values)
    {
        var result = new ushort[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            uint bits = BitConverter.SingleToUInt32Bits(values[i]);
            if (float.IsNaN(values[i])) { result[i] = (ushort)((bits >> 16) | 0x40); continue; }
            uint roundingBias = 0x7FFF + ((bits >> 16) & 1);
            result[i] = (ushort)((bits + roundingBias) >> 16);
        }
        return result;
    }
}
