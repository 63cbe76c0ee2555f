// Stylises a picture with a FastStyle ONNX model, using only the FastStyle.Inference package.
// Usage: StylizeSample MODEL.onnx INPUT.ppm OUTPUT.ppm [STRENGTH]
//
// FastStyle.Inference works on RgbImage (planar float RGB in [0,1]) and carries no image decoder,
// so this sample reads and writes binary PPM (P6), a format simple enough to write by hand. A real
// app converts from its own imaging library's pixels (SkiaSharp, ImageSharp...), or implements
// IImageCodec with it to use StylizeJob for files and folders.
using System.Globalization;
using FastStyle.Data.Imaging;
using FastStyle.Inference;

if (args.Length is < 3 or > 4)
{
    Console.Error.WriteLine("usage: StylizeSample MODEL.onnx INPUT.ppm OUTPUT.ppm [STRENGTH 0..1]");
    return 2;
}
float strength = args.Length == 4 ? float.Parse(args[3], CultureInfo.InvariantCulture) : 1f;

using var stylizer = Stylizer.Load(args[0]);                 // checks the model's metadata and weights checksum
RgbImage content = Ppm.Read(args[1]);
RgbImage result = stylizer.Stylize(content, new StyleSettings(Strength: strength));
Ppm.Write(result, args[2]);
Console.WriteLine($"{args[2]}: {result.Width}x{result.Height}, style '{stylizer.Metadata.StyleName}', {stylizer.Metadata.Architecture}");
return 0;

/// <summary>Binary PPM (P6, maxval 255) to and from <see cref="RgbImage"/>.</summary>
static class Ppm
{
    public static RgbImage Read(string path)
    {
        byte[] file = File.ReadAllBytes(path);
        int pos = 0;
        if (Token(file, ref pos) != "P6") throw new InvalidDataException($"{path}: not a binary PPM (P6)");
        int width = int.Parse(Token(file, ref pos), CultureInfo.InvariantCulture);
        int height = int.Parse(Token(file, ref pos), CultureInfo.InvariantCulture);
        if (Token(file, ref pos) != "255") throw new InvalidDataException($"{path}: only maxval 255 is supported");
        pos++; // the single whitespace byte after maxval
        if (file.Length - pos < 3 * width * height) throw new InvalidDataException($"{path}: truncated");
        var image = new RgbImage(width, height);
        int plane = image.PlaneSize;
        for (int i = 0; i < plane; i++)
            for (int c = 0; c < 3; c++)
                image.Pixels[c * plane + i] = file[pos + 3 * i + c] / 255f;   // interleaved RGB -> planar
        return image;
    }

    public static void Write(RgbImage image, string path)
    {
        int plane = image.PlaneSize;
        var header = System.Text.Encoding.ASCII.GetBytes($"P6\n{image.Width} {image.Height}\n255\n");
        var bytes = new byte[header.Length + 3 * plane];
        header.CopyTo(bytes, 0);
        for (int i = 0; i < plane; i++)
            for (int c = 0; c < 3; c++)
                bytes[header.Length + 3 * i + c] = (byte)Math.Clamp((int)MathF.Round(image.Pixels[c * plane + i] * 255f), 0, 255);
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>Next whitespace-separated header token, skipping # comments.</summary>
    static string Token(byte[] file, ref int pos)
    {
        while (pos < file.Length && (char.IsWhiteSpace((char)file[pos]) || file[pos] == '#'))
        {
            if (file[pos] == '#') while (pos < file.Length && file[pos] != '\n') pos++;
            else pos++;
        }
        int start = pos;
        while (pos < file.Length && !char.IsWhiteSpace((char)file[pos])) pos++;
        return System.Text.Encoding.ASCII.GetString(file, start, pos - start);
    }
}
