using System.Net;

namespace FastStyle.Serve.Tests;

/// <summary>Every refused upload is a 4xx whose body is one line saying what is wrong, as the page shows it.</summary>
public sealed class BadUploadTests(ServeFactory factory) : IClassFixture<ServeFactory>
{
    async Task<(HttpStatusCode Status, string Message)> Post(MultipartFormDataContent form)
    {
        var response = await factory.CreateClient().PostAsync("/api/stylize", form);
        string message = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain('\n', message);
        Assert.DoesNotContain(factory.TempParent, message); // the user knows their file by its own name
        return (response.StatusCode, message);
    }

    static byte[] Photo => File.ReadAllBytes(Photos.Example);

    [Fact]
    public async Task A_text_file_is_refused_as_not_an_image_naming_the_upload()
    {
        var (status, message) = await Post(Photos.Form("hello, not a photo"u8.ToArray(), "notes.jpg"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("'notes.jpg': not an image file", message);
    }

    [Fact]
    public async Task An_empty_file_is_refused()
    {
        var (status, message) = await Post(Photos.Form([], "empty.png"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("empty", message);
    }

    [Fact]
    public async Task A_truncated_jpeg_is_refused()
    {
        var (status, message) = await Post(Photos.Form(Photo[..4000], "cut.jpg"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("'cut.jpg'", message);
    }

    [Fact]
    public async Task A_decompression_bomb_is_refused_by_the_pixel_budget()
    {
        var (status, message) = await Post(Photos.Form(FastStyle.Data.Tests.TestFiles.PngDeclaring(20000, 20000), "bomb.png"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("megapixels, over the limit", message);
    }

    [Fact]
    public async Task A_request_without_a_photo_is_refused()
    {
        var (status, message) = await Post(Photos.Form(null, fields: ("size", "64")));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("no photo", message);
    }

    [Theory]
    [InlineData("strength", "1.5", "strength")]
    [InlineData("strength", "lots", "strength 'lots'")]
    [InlineData("size", "0", "size '0'")]
    [InlineData("size", "100000", "size '100000'")]
    [InlineData("model", "../models/starry_night", "model '../models/starry_night': not in the models folder")]
    [InlineData("example", "../../etc/passwd", "example '../../etc/passwd': no such example")]
    public async Task A_bad_setting_is_refused_naming_it(string field, string value, string expected)
    {
        var (status, message) = await Post(Photos.Form(field == "example" ? null : Photo, fields: (field, value)));
        Assert.True(status is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"status {status}");
        Assert.Contains(expected, message);
    }
}

/// <summary>The upload limit, with a server whose limit is smaller than the example photo.</summary>
public sealed class UploadLimitTests : IDisposable
{
    readonly ServeFactory factory = new() { MaxUploadBytes = 20_000 };

    [Fact]
    public async Task An_upload_over_the_limit_is_refused_with_413()
    {
        var response = await factory.CreateClient().PostAsync("/api/stylize", Photos.Form(File.ReadAllBytes(Photos.Example)));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("upload too large", await response.Content.ReadAsStringAsync());
    }

    public void Dispose() => factory.Dispose();
}
