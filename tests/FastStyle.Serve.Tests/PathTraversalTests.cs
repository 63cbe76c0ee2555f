using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;

namespace FastStyle.Serve.Tests;

/// <summary>
/// Only files under --runs are served. A secret file sits next to the runs folder; every route that
/// takes a path is asked for it in the ways a crafted request can, and must refuse.
/// </summary>
public sealed class PathTraversalTests : IDisposable
{
    const string Secret = "the secret next to the runs folder";
    readonly ServeFactory factory = new();

    public PathTraversalTests()
    {
        File.WriteAllText(Path.Combine(factory.Root, "secret.txt"), Secret);
        Directory.CreateDirectory(Path.Combine(factory.RunsDirectory, "run1"));
        File.WriteAllText(Path.Combine(factory.RunsDirectory, "run1", "config.resolved.txt"), "lr: 0.001");
    }

    /// <summary>Sends the path as is: HttpClient would remove the dot segments before they reach the server, a raw client need not.</summary>
    async Task<(int Status, string Body)> GetRaw(string path, string query = "")
    {
        var context = await factory.Server.SendAsync(c =>
        {
            c.Request.Method = "GET";
            c.Request.Path = path;
            c.Request.QueryString = new QueryString(query);
        });
        // Bounded: a refusal is a short body; an event stream that was wrongly opened would never end.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return (context.Response.StatusCode, await new StreamReader(context.Response.Body).ReadToEndAsync(timeout.Token));
    }

    [Fact]
    public async Task A_file_inside_the_runs_folder_is_served()
    {
        var (status, body) = await GetRaw("/files/runs/run1/config.resolved.txt");
        Assert.Equal(200, status);
        Assert.Equal("lr: 0.001", body);
    }

    [Theory]
    [InlineData("/files/runs/../secret.txt")]
    [InlineData("/files/runs/run1/../../secret.txt")]
    [InlineData("/files/runs/..%2Fsecret.txt")]
    [InlineData("/files/runs/..\\secret.txt")]
    public async Task Dot_dot_out_of_the_runs_folder_is_refused(string path)
    {
        var (status, body) = await GetRaw(path);
        Assert.InRange(status, 400, 404);
        Assert.DoesNotContain(Secret, body);
    }

    [Fact]
    public async Task Dot_dot_through_an_ordinary_http_client_is_refused()
    {
        var response = await factory.CreateClient().GetAsync("/files/runs/%2e%2e/secret.txt");
        Assert.InRange((int)response.StatusCode, 400, 404);
        Assert.DoesNotContain(Secret, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_symbolic_link_out_of_the_runs_folder_is_refused()
    {
        File.CreateSymbolicLink(Path.Combine(factory.RunsDirectory, "run1", "link.txt"), Path.Combine(factory.Root, "secret.txt"));
        Directory.CreateSymbolicLink(Path.Combine(factory.RunsDirectory, "outside"), factory.Root);

        var (fileStatus, fileBody) = await GetRaw("/files/runs/run1/link.txt");
        var (folderStatus, folderBody) = await GetRaw("/files/runs/outside/secret.txt");

        Assert.Equal(400, fileStatus);
        Assert.Equal(400, folderStatus);
        Assert.DoesNotContain(Secret, fileBody + folderBody);
    }

    [Theory]
    [InlineData("/api/run/config", "?run=..")]
    [InlineData("/api/run/config", "?run=/etc")]
    [InlineData("/api/run/samples", "?run=run1/../..")]
    [InlineData("/api/run/events", "?run=..")]
    public async Task A_run_outside_the_runs_folder_is_refused(string path, string query)
    {
        var (status, body) = await GetRaw(path, query);
        Assert.Equal(400, status);
        Assert.Contains("outside the runs folder", body);
    }

    [Fact]
    public async Task Files_of_other_kinds_are_not_served_even_inside()
    {
        File.WriteAllText(Path.Combine(factory.RunsDirectory, "run1", "weights.safetensors"), "weights");
        var (status, _) = await GetRaw("/files/runs/run1/weights.safetensors");
        Assert.Equal(404, status);
    }

    public void Dispose() => factory.Dispose();
}

/// <summary><see cref="SafePath"/> on literal paths, without a server.</summary>
public sealed class SafePathTests
{
    const string Root = "/srv/runs";

    [Theory]
    [InlineData("a/b.jpg", "/srv/runs/a/b.jpg")]
    [InlineData("a/../b.jpg", "/srv/runs/b.jpg")]
    [InlineData("", "/srv/runs")]
    public void Paths_inside_resolve(string relative, string expected) => Assert.Equal(expected, SafePath.Resolve(Root, relative));

    [Theory]
    [InlineData("..")]
    [InlineData("../runs2/x")]
    [InlineData("a/../../x")]
    [InlineData("/etc/passwd")]
    [InlineData("a\\..\\..\\x")]
    [InlineData("a\0b")]
    public void Paths_leaving_the_root_are_refused(string relative) => Assert.Null(SafePath.Resolve(Root, relative));
}
