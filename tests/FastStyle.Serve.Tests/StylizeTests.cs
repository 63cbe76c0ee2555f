using System.Net;

namespace FastStyle.Serve.Tests;

/// <summary>POST /api/stylize with good input: an image comes back, of the size asked for.</summary>
public sealed class StylizeTests(ServeFactory factory) : IClassFixture<ServeFactory>
{
    [Fact]
    public async Task Uploaded_photo_comes_back_stylised_at_the_requested_longest_side()
    {
        var client = factory.CreateClient();
        var response = await client.PostAsync("/api/stylize", Photos.Form(File.ReadAllBytes(Photos.Example), "tubingen.jpg", ("size", "128")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((128, 96), Photos.PngSize(await response.Content.ReadAsByteArrayAsync()));
        Assert.Equal("128x96", response.Headers.GetValues("X-Image-Size").Single());
        Assert.Contains("stylize;dur=", response.Headers.GetValues("Server-Timing").Single());
    }

    [Fact]
    public async Task Without_a_size_the_result_has_the_photos_size()
    {
        var client = factory.CreateClient();
        var response = await client.PostAsync("/api/stylize", Photos.Form(File.ReadAllBytes(Photos.Example)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((Photos.ExampleWidth, Photos.ExampleHeight), Photos.PngSize(await response.Content.ReadAsByteArrayAsync()));
    }

    [Fact]
    public async Task An_example_photo_can_be_picked_by_name()
    {
        var client = factory.CreateClient();
        Assert.Contains("tubingen.jpg", await client.GetStringAsync("/api/examples"));
        var response = await client.PostAsync("/api/stylize", Photos.Form(null, fields: [("example", "tubingen.jpg"), ("size", "64"), ("strength", "0.5"), ("preserve_color", "on")]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((64, 48), Photos.PngSize(await response.Content.ReadAsByteArrayAsync()));
    }

    [Fact]
    public async Task Nothing_is_left_in_the_temp_folder_after_a_stylise()
    {
        var client = factory.CreateClient();
        var response = await client.PostAsync("/api/stylize", Photos.Form(File.ReadAllBytes(Photos.Example), fields: ("size", "32")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(Directory.EnumerateFiles(factory.TempParent, "*", SearchOption.AllDirectories));
        Assert.Empty(Directory.EnumerateFileSystemEntries(factory.RunsDirectory));
    }
}
