using System.Diagnostics;
using System.Globalization;
using FastStyle.Data;
using FastStyle.Data.Imaging;
using FastStyle.Inference;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace FastStyle.Serve;

/// <summary>
/// The Try tab: models and example photos to pick, and POST /api/stylize, which runs the same
/// <see cref="Stylizer"/> and <see cref="StyleSettings"/> as `faststyle stylize` (tiling included)
/// and answers with the image, its timing in a Server-Timing header.
/// </summary>
static class TryEndpoints
{
    /// <summary>One stylise at a time: each already uses every core (ORT intra-op threads), so a second
    /// in parallel would only slow both and double the memory.</summary>
    static readonly SemaphoreSlim OneAtATime = new(1, 1);

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/models", (ModelCache models) => Results.Json(models.Names()));
        endpoints.MapGet("/api/examples", (ServeOptions options) => Results.Json(ExampleNames(options)));
        endpoints.MapGet("/api/examples/{name}", (string name, ServeOptions options) =>
            Results.File(ExamplePath(options, name), ContentTypes.For(name)));
        endpoints.MapPost("/api/stylize", Stylize);
    }

    static List<string> ExampleNames(ServeOptions options)
        => options.ExamplesDirectory is { } dir && Directory.Exists(dir)
            ? Directory.GetFiles(dir).Where(ImageFile.HasImageExtension).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToList()
            : [];

    /// <summary>Only names the listing offers: a name is never joined to a path unchecked.</summary>
    static string ExamplePath(ServeOptions options, string name)
        => ExampleNames(options).Contains(name)
            ? Path.Combine(options.ExamplesDirectory!, name)
            : throw new HttpError(404, $"example '{name}': no such example photo");

    static async Task Stylize(HttpContext context, ServeOptions options, ModelCache models, TempFolder temp)
    {
        var request = context.Request;
        var cancel = context.RequestAborted;
        if (!request.HasFormContentType)
            throw new HttpError(400, "send the photo as multipart/form-data (field 'photo', or 'example' with an example's name)");
        if (request.ContentLength > options.MaxUploadBytes)
            throw new HttpError(413, ServeApp.TooLarge(context));
        var form = await request.ReadFormAsync(cancel);

        var settings = new StyleSettings(
            Strength: Fraction(form["strength"], "strength", 1f),
            PreserveColor: Flag(form["preserve_color"]),
            TileSize: OptionalInt(form["tile"], "tile", 0, ImageLoadOptions.MaxSide) ?? 0);
        settings.Validate();
        int? size = OptionalInt(form["size"], "size", 1, ImageLoadOptions.MaxSide);
        string format = (string?)form["format"] is { Length: > 0 } f ? f.ToLowerInvariant() : "png";
        if (format is not ("png" or "jpg" or "webp"))
            throw new HttpError(400, $"format '{format}': use png, jpg or webp");

        string? uploaded = null, input, shownName;
        var photo = form.Files["photo"];
        if (photo != null)
        {
            shownName = Path.GetFileName(photo.FileName.ReplaceLineEndings(" "));
            if (photo.Length == 0) throw new HttpError(400, $"image '{shownName}': file is empty");
            if (photo.Length > options.MaxUploadBytes) throw new HttpError(413, ServeApp.TooLarge(context));
            uploaded = input = temp.NewFile(ImageFile.HasImageExtension(shownName) ? Path.GetExtension(shownName).ToLowerInvariant() : ".upload");
            await using (var file = File.Create(uploaded))
                await photo.CopyToAsync(file, cancel);
        }
        else if ((string?)form["example"] is { Length: > 0 } example)
        {
            input = ExamplePath(options, example);
            shownName = example;
        }
        else throw new HttpError(400, "no photo: upload one (field 'photo') or pick an example");

        string output = temp.NewFile("." + format);
        bool turn = false;
        try
        {
            await OneAtATime.WaitAsync(cancel);
            turn = true;
            var stylizer = models.Get(form["model"]);
            var clock = Stopwatch.StartNew();
            var content = ImageFile.Load(input, new ImageLoadOptions { LongestSide = size });
            double decode = clock.Elapsed.TotalMilliseconds;
            var result = stylizer.Stylize(content, settings, cancel);
            double stylize = clock.Elapsed.TotalMilliseconds - decode;
            ImageFile.Save(result, output);
            double encode = clock.Elapsed.TotalMilliseconds - decode - stylize;

            var response = context.Response;
            response.ContentType = ContentTypes.For(output);
            response.Headers["Server-Timing"] = string.Create(CultureInfo.InvariantCulture,
                $"decode;dur={decode:F1}, stylize;dur={stylize:F1}, encode;dur={encode:F1}, total;dur={clock.Elapsed.TotalMilliseconds:F1}");
            response.Headers["X-Image-Size"] = $"{result.Width}x{result.Height}";
            response.Headers["X-Model"] = stylizer.Metadata.StyleName;
            await response.SendFileAsync(output, cancel);
        }
        catch (FastStyleError e) when (e.Message.Contains(input, StringComparison.Ordinal))
        {
            // The decoder names the file it read: the user knows their upload by its own name, not the temp one.
            throw new FastStyleError(e.Message.Replace(input, shownName), e);
        }
        finally
        {
            if (turn) OneAtATime.Release();
            if (uploaded != null) File.Delete(uploaded);
            File.Delete(output);
        }
    }

    static float Fraction(string? text, string name, float fallback)
    {
        if (string.IsNullOrWhiteSpace(text)) return fallback;
        if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) || !float.IsFinite(v))
            throw new HttpError(400, $"{name} '{text}': not a number");
        return v; // the range is checked by StyleSettings.Validate, with the CLI's wording
    }

    static int? OptionalInt(string? text, string name, int min, int max)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int v) || v < min || v > max)
            throw new HttpError(400, $"{name} '{text}': expected a whole number from {min} to {max}");
        return v;
    }

    static bool Flag(string? text) => text is "on" or "true" or "1";
}
