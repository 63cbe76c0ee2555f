using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using FastStyle.Data.Imaging;
using SkiaSharp;

namespace FastStyle.Data.Tests;

/// <summary>A fresh temp folder per test, deleted (recursively) on dispose.</summary>
public sealed class TempDir : IDisposable
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "faststyle-data-tests-" + Guid.NewGuid().ToString("N"));

    public TempDir() => Directory.CreateDirectory(Root);

    public string File(params string[] parts) => Path.Combine([Root, .. parts]);

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>Fixture builders: generated images, hand-made PNG chunks, EXIF insertion, CRC-32.</summary>
public static class TestFiles
{
    /// <summary>An RGB image from a per-pixel function returning (r, g, b).</summary>
    public static RgbImage Make(int width, int height, Func<int, int, (float R, float G, float B)> f)
    {
        var image = new RgbImage(width, height);
        int plane = image.PlaneSize;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                var (r, g, b) = f(x, y);
                int i = y * width + x;
                image.Pixels[i] = r;
                image.Pixels[plane + i] = g;
                image.Pixels[2 * plane + i] = b;
            }
        return image;
    }

    public static (float R, float G, float B) Pixel(RgbImage image, int x, int y)
    {
        int i = y * image.Width + x, plane = image.PlaneSize;
        return (image.Pixels[i], image.Pixels[plane + i], image.Pixels[2 * plane + i]);
    }

    /// <summary>A smooth gradient image (compresses well as JPEG).</summary>
    public static RgbImage Smooth(int width, int height)
        => Make(width, height, (x, y) => (
            0.1f + 0.8f * x / (width - 1),
            0.1f + 0.8f * y / (height - 1),
            0.5f + 0.3f * MathF.Sin(0.15f * (x + y))));

    /// <summary>Deterministic noise: large JPEG payload relative to its header.</summary>
    public static RgbImage Noise(int width, int height, int seed)
    {
        var random = new Random(seed);
        return Make(width, height, (_, _) => (random.NextSingle(), random.NextSingle(), random.NextSingle()));
    }

    public static double MeanAbsDiff(RgbImage a, RgbImage b)
    {
        Assert.Equal(a.Width, b.Width);
        Assert.Equal(a.Height, b.Height);
        double sum = 0;
        for (int i = 0; i < a.Pixels.Length; i++) sum += Math.Abs(a.Pixels[i] - b.Pixels[i]);
        return sum / a.Pixels.Length;
    }

    /// <summary>Encodes raw pixels of the given colour type with Skia and writes the file.</summary>
    public static void WriteSkia(string path, int width, int height, SKColorType colorType, SKAlphaType alphaType, byte[] pixels, SKEncodedImageFormat format, int quality = 100)
    {
        var info = new SKImageInfo(width, height, colorType, alphaType);
        Assert.Equal(info.BytesSize, pixels.Length);
        using var bitmap = new SKBitmap(info);
        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        using var pixmap = bitmap.PeekPixels();
        using var data = pixmap.Encode(format, quality);
        Assert.NotNull(data);
        System.IO.File.WriteAllBytes(path, data.ToArray());
    }

    /// <summary>Inserts an APP1 Exif segment (little-endian TIFF, IFD0 with only Orientation) right after SOI.</summary>
    public static byte[] WithExifOrientation(byte[] jpeg, ushort orientation)
    {
        Assert.True(jpeg.Length > 2 && jpeg[0] == 0xFF && jpeg[1] == 0xD8, "not a JPEG (no SOI)");
        var tiff = new byte[8 + 2 + 12 + 4];
        tiff[0] = (byte)'I'; tiff[1] = (byte)'I';
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(2), 42);
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(4), 8);        // IFD0 offset
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(8), 1);        // one entry
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(10), 0x0112);  // Orientation
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(12), 3);       // SHORT
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(14), 1);       // count
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(18), orientation);
        // bytes 20..21 padding, 22..25 next IFD offset = 0
        byte[] payload = [.. "Exif\0\0"u8, .. tiff];
        var segment = new byte[4 + payload.Length];
        segment[0] = 0xFF; segment[1] = 0xE1;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), (ushort)(2 + payload.Length));
        payload.CopyTo(segment, 4);
        return [.. jpeg.AsSpan(0, 2), .. segment, .. jpeg.AsSpan(2)];
    }

    // ---- PNG by hand ----

    public static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    public static byte[] PngChunk(string type, byte[] data)
    {
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)data.Length);
        Encoding.ASCII.GetBytes(type).CopyTo(chunk, 4);
        data.CopyTo(chunk, 8);
        uint crc = Crc32(chunk.AsSpan(4, 4 + data.Length));
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), crc);
        return chunk;
    }

    /// <summary>A tiny PNG whose IHDR declares width x height RGB8, with a few bytes of valid zlib data.</summary>
    public static byte[] PngDeclaring(int width, int height)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), (uint)height);
        ihdr[8] = 8;  // bit depth
        ihdr[9] = 2;  // truecolour
        using var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) z.Write(new byte[1024]);
        return [.. PngSignature, .. PngChunk("IHDR", ihdr), .. PngChunk("IDAT", compressed.ToArray()), .. PngChunk("IEND", [])];
    }

    static readonly uint[] CrcTable = BuildCrcTable();

    static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }

    /// <summary>CRC-32 (ISO-HDLC, as used by PNG and zip).</summary>
    static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        uint c = 0xFFFFFFFFu;
        foreach (byte b in bytes) c = CrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFFu;
    }
}
