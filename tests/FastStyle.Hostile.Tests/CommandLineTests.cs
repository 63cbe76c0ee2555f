using FastStyle.Training.Tests;

namespace FastStyle.Hostile.Tests;

/// <summary>
/// Items 5, 10, 14 (a, b, c, e) and 15 (--save-every) of issue 12: malformed command lines are one
/// line and exit 2, named as the user typed them. Nothing is read or written before the error, so
/// the folder's snapshot is unchanged.
/// </summary>
public class CommandLineTests
{
    [Theory]
    [InlineData("--size", "abc", "stylize")]
    [InlineData("--size", "99999999999", "stylize")]
    [InlineData("--size", "2000000000", "stylize")]
    [InlineData("--size", "0", "stylize")]
    [InlineData("--size", "1.5", "stylize")]
    [InlineData("--threads", "-1", "stylize")]
    [InlineData("--iterations", "1e3", "optimize")]
    [InlineData("--style-size", "abc", "optimize")]
    [InlineData("--save-every", "-3", "optimize")]
    [InlineData("--max-steps", "abc", "train")]
    [InlineData("--size", "9000", "evaluate")]
    public void Bad_integer_option_is_one_line_naming_option_and_value(string option, string value, string command)
    {
        using var dir = new TempDir();
        string image = Fixtures.WriteImage(dir.File("a.png"), 16, 16, 1);
        var before = Snapshot.Of(dir.Path);
        string[] args = command switch
        {
            "stylize" => ["stylize", image, "-o", dir.File("out.png"), option, value],
            "optimize" => ["optimize", "-c", image, "-s", image, "-o", dir.File("out.png"), option, value],
            "train" => ["train", dir.File("config.yaml"), option, value],
            _ => ["evaluate", "-s", image, "-c", image, "--stylized", image, option, value],
        };
        Cli.Run(args).AssertOneLineError(2, option, $"'{value}'");
        Snapshot.AssertUnchanged(before, dir.Path);
    }

    [Fact]
    public void Comma_decimal_strength_is_an_error_not_five()
        => Cli.Run("stylize", "a.png", "-o", "b.png", "--strength", "0,5").AssertOneLineError(2, "--strength", "'0,5'", "0.5");

    [Fact]
    public void Mistyped_command_suggests_the_closest_one()
        => Cli.Run("stylise", "a.png", "-o", "b.png").AssertOneLineError(2, "unknown command 'stylise'", "did you mean 'stylize'");

    [Fact]
    public void Unknown_option_is_reported_as_an_unknown_option_not_a_missing_file()
    {
        string line = Cli.Run("stylize", "--bogus", "a.png", "-o", "b.png").AssertOneLineError(2, "unknown option '--bogus'");
        Assert.DoesNotContain("not found", line);
    }

    [Fact]
    public void Tile_below_twice_the_overlap_names_the_tile_option()
    {
        using var dir = new TempDir();
        string image = Fixtures.WriteImage(dir.File("a.png"), 16, 16, 1);
        string line = Cli.Run("stylize", image, "-o", dir.File("b.png"), "--tile", "40").AssertOneLineError(2, "--tile", "40", "65");
        Assert.DoesNotContain("tile_overlap", line);
        Assert.False(File.Exists(dir.File("b.png")));
    }

    [Fact]
    public void Size_that_would_enlarge_a_small_photo_beyond_the_limit_is_refused()
    {
        using var dir = new TempDir();
        string photo = Fixtures.WriteImage(dir.File("small.png"), 128, 96, 1);
        string model = HostileFixtures.WriteTinyModel(dir.Path);
        var before = Snapshot.Of(dir.Path);
        Cli.Run("stylize", photo, "-o", dir.File("big.png"), "--model", model, "--size", "8192")
            .AssertOneLineError(2, "small.png", "128x96", "limit 16x");
        Snapshot.AssertUnchanged(before, dir.Path);
    }
}
