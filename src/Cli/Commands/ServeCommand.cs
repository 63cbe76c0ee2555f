using System.CommandLine;
using FastStyle.Serve;

namespace FastStyle.Cli.Commands;

/// <summary>`faststyle serve`: the local web page (Try, Watch, Compare); the app itself is src/Serve.</summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var models = new Option<string?>("--models") { Description = "Folder of .onnx models to try (default: the shipped models)" };
        var runs = new Option<string>("--runs") { Description = "Folder searched for training runs (metrics.csv) and compare reports (report.html)", DefaultValueFactory = _ => "runs" };
        var port = CommonOptions.Integer("--port", $"Port to listen on (default {ServeOptions.DefaultPort})", min: 1, max: 65535);
        var host = new Option<string>("--host") { Description = "Address to bind; other than loopback, anyone who can reach it can use the page (no authentication)", DefaultValueFactory = _ => ServeOptions.DefaultHost };
        var command = new Command("serve", "Serve a local web page to try models, watch training runs and browse compare reports") { models, runs, port, host };
        command.SetAction(parse =>
        {
            var options = new ServeOptions
            {
                ModelsDirectory = parse.GetValue(models) ?? Path.Combine(AppContext.BaseDirectory, "models"),
                RunsDirectory = parse.GetValue(runs)!,
                ExamplesDirectory = Path.Combine(AppContext.BaseDirectory, "examples"),
                Host = parse.GetValue(host)!,
                Port = parse.GetValue(port) ?? ServeOptions.DefaultPort,
            };
            ServeApp.Run(options, url =>
            {
                Console.WriteLine($"faststyle serve: {url}  (models: {options.ModelsDirectory}, runs: {Path.GetFullPath(options.RunsDirectory)}{(Directory.Exists(options.RunsDirectory) ? "" : ", not there yet")}); Ctrl+C stops");
                if (options.IsPublic) Console.Error.WriteLine($"faststyle: warning: listening on {options.Host}, reachable from other machines; the page has no authentication");
            });
            return ExitCodes.Success;
        });
        return command;
    }
}
