using System.Text;

namespace FastStyle.Training.Evaluation;

/// <summary>
/// File names inside a compare output folder. Paths are relative with '/' separators so
/// report.md and report.html can link them and the folder can be moved or published as is.
/// </summary>
public static class CompareOutputLayout
{
    public const string ReportJson = "report.json";
    public const string ReportMarkdown = "report.md";
    public const string ReportHtml = "report.html";
    public const string Grid = "grid.jpg";
    public const string LossPlot = "loss.png";
    public const string StyleImage = "images/style.jpg";

    /// <summary>"images/01_street": numbered so two inputs with one file name never collide.</summary>
    public static string ImageFolder(int index, string contentPath) => $"images/{index + 1:D2}_{Sanitize(Path.GetFileNameWithoutExtension(contentPath))}";

    public static string ContentImage(int index, string contentPath) => $"{ImageFolder(index, contentPath)}/content.jpg";
    public static string NetworkImage(int index, string contentPath) => $"{ImageFolder(index, contentPath)}/network.jpg";
    public static string GatysImage(int index, string contentPath, int iteration) => $"{ImageFolder(index, contentPath)}/gatys_{iteration:D4}.jpg";

    public static string Full(string outputDirectory, string relative) => Path.Combine(outputDirectory, relative.Replace('/', Path.DirectorySeparatorChar));

    /// <summary>Letters, digits, '-' and '_' only: safe in file names and URLs everywhere.</summary>
    static string Sanitize(string name)
    {
        var sb = new StringBuilder();
        foreach (char c in name) sb.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_');
        return sb.Length == 0 ? "image" : sb.ToString();
    }
}
