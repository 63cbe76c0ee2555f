using System.Net;
using System.Text;

namespace FastStyle.Training.Evaluation;

/// <summary>report.html: one self-contained page (inline CSS), images by relative path.</summary>
internal static class CompareHtml
{
    const string Style = """
        body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
        table { border-collapse: collapse; margin: 1em 0; }
        th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
        th { background: #f4f4f4; }
        td:nth-child(2), th:nth-child(2) { text-align: left; }
        table.images td { text-align: center; vertical-align: top; }
        table.images img { height: 192px; }
        img.wide { max-width: 100%; }
        pre { background: #f8f8f8; padding: 0.8em; }
        """;

    public static string Render(CompareReportContent content)
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(E(content.Title)).Append("</title>\n<style>\n")
          .Append(Style).Append("</style>\n</head>\n<body>\n");
        sb.Append("<h1>").Append(E(content.Title)).Append("</h1>\n<p><strong>").Append(E(content.Summary)).Append("</strong></p>\n<ul>\n");
        foreach (var fact in content.Facts) sb.Append("<li>").Append(E(fact)).Append("</li>\n");
        sb.Append("</ul>\n<h2>Summary</h2>\n");
        Table(sb, content.Overview);
        sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"<p><img class=\"wide\" src=\"{Src(CompareOutputLayout.Grid)}\" alt=\"comparison grid\"></p>\n");
        sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"<p><img class=\"wide\" src=\"{Src(CompareOutputLayout.LossPlot)}\" alt=\"Gatys loss vs iteration\"></p>\n");
        foreach (var section in content.Sections)
        {
            sb.Append("<h2>").Append(E(section.Title)).Append("</h2>\n");
            Table(sb, section.Losses);
            if (section.Note != null) sb.Append("<p>").Append(E(section.Note)).Append("</p>\n");
            sb.Append("<table class=\"images\">\n<tr>");
            foreach (var (caption, _) in section.Images.Cells) sb.Append("<th>").Append(E(caption)).Append("</th>");
            sb.Append("</tr>\n<tr>");
            foreach (var (caption, path) in section.Images.Cells)
                sb.Append("<td>").Append(path is null ? "–" : $"<img src=\"{Src(path)}\" alt=\"{E(caption)}\">").Append("</td>");
            sb.Append("</tr>\n</table>\n");
        }
        sb.Append("<h2>Loss configuration</h2>\n<pre>").Append(E(content.LossConfigText.TrimEnd())).Append("</pre>\n</body>\n</html>\n");
        return sb.ToString();
    }

    static void Table(StringBuilder sb, ReportTable table)
    {
        sb.Append("<table>\n<tr>");
        foreach (var h in table.Headers) sb.Append("<th>").Append(E(h)).Append("</th>");
        sb.Append("</tr>\n");
        foreach (var row in table.Rows)
        {
            sb.Append("<tr>");
            foreach (var cell in row) sb.Append("<td>").Append(E(cell)).Append("</td>");
            sb.Append("</tr>\n");
        }
        sb.Append("</table>\n");
    }

    static string E(string s) => WebUtility.HtmlEncode(s);

    /// <summary>Relative URL: each path segment percent-encoded, '/' kept.</summary>
    static string Src(string relative) => E(string.Join('/', relative.Split('/').Select(Uri.EscapeDataString)));
}
