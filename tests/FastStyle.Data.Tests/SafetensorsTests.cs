using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using FastStyle.Data.Weights;

namespace FastStyle.Data.Tests;

public sealed class SafetensorsTests : IDisposable
{
    readonly TempDir dir = new();
    public void Dispose() => dir.Dispose();

    /// <summary>8-byte little-endian header length, the header text, then the data bytes.</summary>
    static byte[] Build(string header, byte[] data)
    {
        byte[] h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)h.Length);
        h.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + h.Length);
        return bytes;
    }

    string WriteFile(string name, byte[] bytes)
    {
        string path = dir.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    static byte[] U16(params ushort[] values)
    {
        var bytes = new byte[2 * values.Length];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2 * i), values[i]);
        return bytes;
    }

    [Fact]
    public void Round_trip_keeps_shapes_values_and_metadata()
    {
        var random = new Random(42);
        float[] Values(int n) => Enumerable.Range(0, n).Select(_ => random.NextSingle() * 2 - 1).ToArray();
        var tensors = new[]
        {
            new TensorData("conv1.weight", [4, 3, 3, 3], Values(108)),
            new TensorData("conv1.bias", [4], [float.MinValue, -0f, float.Epsilon, float.MaxValue]),
            new TensorData("scalar", [], [7.25f]),
            new TensorData("norm.running_mean", [2, 5], Values(10)),
        };
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünïcode \"quoted\" \\ text" };
        string path = dir.File("sub", "weights.safetensors");

        SafetensorsFile.Write(path, tensors, metadata);
        var file = SafetensorsFile.Read(path);

        Assert.Equal(tensors.Select(t => t.Name).Order(), file.Tensors.Keys.Order());
        foreach (var t in tensors)
        {
            var read = file.Tensors[t.Name];
            Assert.Equal(t.Name, read.Name);
            Assert.Equal(t.Shape, read.Shape);
            Assert.Equal(t.Values, read.Values); // bit-exact
        }
        Assert.Equal(metadata, file.Metadata);

        // The data section starts 8-byte aligned.
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(File.ReadAllBytes(path));
        Assert.Equal(0ul, (8 + headerLength) % 8);
        Assert.Equal(8 + (long)headerLength + 4 * (108 + 4 + 1 + 10), new FileInfo(path).Length);
    }

    [Fact]
    public void Written_header_is_standard_json_other_tools_can_read()
    {
        using var stream = new MemoryStream();
        SafetensorsFile.WriteTo(stream, [new TensorData("a", [2], [1f, 2f]), new TensorData("b", [1, 1], [3f])]);
        byte[] bytes = stream.ToArray();
        int length = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        using var json = JsonDocument.Parse(bytes.AsMemory(8, length));
        var b = json.RootElement.GetProperty("b");
        Assert.Equal("F32", b.GetProperty("dtype").GetString());
        Assert.Equal([8L, 12L], b.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()));
        Assert.False(json.RootElement.TryGetProperty("__metadata__", out _));
        Assert.Equal(3f, BitConverter.ToSingle(bytes, 8 + length + 8));
    }

    [Fact]
    public void Write_rejects_duplicate_names_and_shape_mismatch()
    {
        using var stream = new MemoryStream();
        Assert.Throws<ArgumentException>(() => SafetensorsFile.WriteTo(stream, [new TensorData("a", [1], [1f]), new TensorData("a", [1], [2f])]));
        Assert.Throws<ArgumentException>(() => SafetensorsFile.WriteTo(stream, [new TensorData("a", [2, 2], [1f, 2f, 3f])]));
    }

    [Fact]
    public void F16_decodes_to_the_expected_floats()
    {
        // 1, -2, 0.5, 65504 (max half), 2^-24 (smallest subnormal), -0
        var data = U16(0x3C00, 0xC000, 0x3800, 0x7BFF, 0x0001, 0x8000);
        string path = WriteFile("half.safetensors",
            Build("""{"h":{"dtype":"F16","shape":[2,3],"data_offsets":[0,12]}}""", data));
        var t = SafetensorsFile.Read(path).Tensors["h"];
        Assert.Equal([2L, 3L], t.Shape);
        Assert.Equal([1f, -2f, 0.5f, 65504f, MathF.Pow(2, -24), -0f], t.Values);
        Assert.True(float.IsNegative(t.Values[5]));
    }

    [Fact]
    public void BF16_decodes_to_the_expected_floats()
    {
        // 1, -2, 3.140625, 0.5, +inf, 1e38-ish (0x7E96 -> 9.969...e37)
        var data = U16(0x3F80, 0xC000, 0x4049, 0x3F00, 0x7F80, 0x7E96);
        string path = WriteFile("bf.safetensors",
            Build("""{"__metadata__":{"k":"v"},"b":{"dtype":"BF16","shape":[6],"data_offsets":[0,12]}}""", data));
        var file = SafetensorsFile.Read(path);
        var t = file.Tensors["b"];
        Assert.Equal([1f, -2f, 3.140625f, 0.5f, float.PositiveInfinity, BitConverter.Int32BitsToSingle(0x7E960000)], t.Values);
        Assert.Equal("v", file.Metadata["k"]);
    }

    [Fact]
    public void Mixed_dtypes_with_unsorted_offsets_and_header_padding()
    {
        var data = new byte[4 + 2 + 2];
        BinaryPrimitives.WriteSingleLittleEndian(data, 1.5f);
        U16(0x4000).CopyTo(data, 4);   // F16 2.0
        U16(0x4040).CopyTo(data, 6);   // BF16 3.0
        string header = """{"c":{"dtype":"BF16","shape":[1],"data_offsets":[6,8]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F16","shape":[1],"data_offsets":[4,6]}}   """;
        var file = SafetensorsFile.Parse(Build(header, data), "mixed");
        Assert.Equal([1.5f], file.Tensors["a"].Values);
        Assert.Equal([2f], file.Tensors["b"].Values);
        Assert.Equal([3f], file.Tensors["c"].Values);
        Assert.Empty(file.Metadata);
    }

    [Fact]
    public void Missing_file_is_a_user_error_naming_the_path()
    {
        string path = dir.File("missing.safetensors");
        var e = Assert.Throws<FastStyleError>(() => SafetensorsFile.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("not found", e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void File_shorter_than_8_bytes_is_rejected(int length)
    {
        string path = WriteFile("short.safetensors", new byte[length]);
        var e = Assert.Throws<FastStyleError>(() => SafetensorsFile.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("too short", e.Message);
    }

    [Fact]
    public void Header_length_larger_than_the_file_is_rejected()
    {
        var bytes = Build("{}", []);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, 1000);
        string path = WriteFile("len.safetensors", bytes);
        var e = Assert.Throws<FastStyleError>(() => SafetensorsFile.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("runs past the end", e.Message);
    }

    [Theory]
    [InlineData(ulong.MaxValue)]
    [InlineData(1ul << 40)]
    [InlineData(1ul)]
    public void Implausible_header_length_is_rejected(ulong length)
    {
        var bytes = Build("{}", new byte[16]);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, length);
        var e = Assert.Throws<FastStyleError>(() => SafetensorsFile.Parse(bytes, "x.safetensors"));
        Assert.Contains("out of bounds", e.Message);
    }

    public static TheoryData<string, int, string> MalformedHeaders => new()
    {
        { """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}""", 4, "not valid JSON" },
        { "not json at all", 0, "not valid JSON" },
        { """[{"dtype":"F32"}]""", 0, "not a JSON object" },
        { "\"text\"", 0, "not a JSON object" },
        { """{"a":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}""", 8, "dtype I64" },
        { """{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}""", 8, "dtype F64" },
        { """{"a":{"shape":[1],"data_offsets":[0,4]}}""", 4, "has no dtype" },
        { """{"a":{"dtype":"F32","data_offsets":[0,4]}}""", 4, "has no shape" },
        { """{"a":{"dtype":"F32","shape":[1]}}""", 4, "needs data_offsets" },
        { """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0]}}""", 4, "needs data_offsets" },
        { """{"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}}""", 24, "needs 24 bytes but its offsets span 20" },
        { """{"a":{"dtype":"F16","shape":[4],"data_offsets":[0,16]}}""", 16, "needs 8 bytes but its offsets span 16" },
        { """{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", 12, "past the 12 data bytes" },
        { """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12, "overlaps" },
        { """{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}""", 4, "invalid shape dimension" },
        { """{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}""", 4, "invalid shape dimension" },
        { """{"a":{"dtype":"F32","shape":["2"],"data_offsets":[0,8]}}""", 8, "invalid shape dimension" },
        { """{"a":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}""", 4, "invalid data offset" },
        { """{"a":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}}""", 8, "end before begin" },
        { """{"a":[1,2,3]}""", 0, "is not an object" },
        { """{"__metadata__":{"n":1}}""", 0, "is not a string" },
        { """{"__metadata__":"x"}""", 0, "__metadata__ is not an object" },
    };

    [Theory]
    [MemberData(nameof(MalformedHeaders))]
    public void Malformed_file_is_rejected_with_a_specific_message(string header, int dataLength, string fragment)
    {
        string path = WriteFile("bad.safetensors", Build(header, new byte[dataLength]));
        var e = Assert.Throws<FastStyleError>(() => SafetensorsFile.Read(path));
        Assert.Contains(fragment, e.Message);
        Assert.Contains(path, e.Message);
        Assert.Contains("not a valid safetensors file", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    // 2^62 elements * 4 bytes wraps to 0 in 64-bit arithmetic, matching empty offsets.
    [InlineData("[4611686018427387904]", "[0,0]")]
    // 2^32 * 2^32 overflows the element count itself.
    [InlineData("[4294967296,4294967296]", "[0,4]")]
    [InlineData("[9223372036854775807,2]", "[0,4]")]
    public void Absurdly_large_shape_is_a_user_error_not_a_crash(string shape, string offsets)
    {
        var bytes = Build("{\"a\":{\"dtype\":\"F32\",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}}", new byte[4]);
        var e = Assert.Throws<FastStyleError>(() => SafetensorsFile.Parse(bytes, "huge.safetensors"));
        Assert.Contains("huge.safetensors", e.Message);
        Assert.Contains("'a'", e.Message);
        Assert.Contains("too large", e.Message);
    }

    [Fact]
    public void Empty_header_object_gives_an_empty_file()
    {
        var file = SafetensorsFile.Parse(Build("{}", []), "empty");
        Assert.Empty(file.Tensors);
        Assert.Empty(file.Metadata);
    }
}
