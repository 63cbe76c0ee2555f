using System.Net;
using System.Text.Json;

namespace FastStyle.Serve.Tests;

/// <summary>The page is served by the app itself and loads nothing from elsewhere.</summary>
public sealed class PageTests(ServeFactory factory) : IClassFixture<ServeFactory>
{
    [Theory]
    [InlineData("/", "text/html")]
    [InlineData("/app.js", "text/javascript")]
    [InlineData("/style.css", "text/css")]
    public async Task Each_page_file_is_served_and_names_no_other_host(string path, string type)
    {
        var response = await factory.CreateClient().GetAsync(path);
        string body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("http://", body);
        Assert.DoesNotContain("https://", body);
        Assert.DoesNotContain("//cdn", body);
    }

    [Fact]
    public async Task The_models_folder_is_listed_by_name()
    {
        // The shipped models, copied next to the tests: every .onnx file by its stem, in ordinal order.
        var names = JsonSerializer.Deserialize<string[]>(await factory.CreateClient().GetStringAsync("/api/models"))!;
        var files = Directory.GetFiles(factory.Options.ModelsDirectory, "*.onnx").Select(Path.GetFileNameWithoutExtension).ToArray();
        Assert.Contains("starry_night", names);
        Assert.True(names.Length >= 2, "the repository ships several styles");
        Assert.Equal(files.Order(StringComparer.Ordinal), names);
    }
}
