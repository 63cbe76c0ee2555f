using System.Text;

namespace FastStyle.Training.Evaluation;

/// <summary>report.md: GitHub-flavoured Markdown (pipe tables), images linked by relative path.</summary>
internal static class CompareMarkdown
{
    public static string Render(CompareReportContent content)
    {
        var sb = new StringBuilder();
        sb.Append("# ").Append(Text(content.Title)).Append("\n\n");
        sb.Append("**").Append(Text(content.Summary)).Append("**\n\n");
        foreach (var fact in content.Facts) sb.Append("- ").Append(Text(fact)).Append('\n');
        sb.Append("\n## Summary\n\n");
        Table(sb, content.Overview);
        sb.Append($"\n![comparison grid]({CompareOutputLayout.Grid})\n\n![Gatys loss vs iteration]({CompareOutputLayout.LossPlot})\n");
        foreach (var section in content.Sections)
        {
            sb.Append("\n## ").Append(Text(section.Title)).Append("\n\n");
            Table(sb, section.Losses);
            if (section.Note != null) sb.Append('\n').Append(Text(section.Note)).Append('\n');
            sb.Append('\n');
            Table(sb, new ReportTable(section.Images.Cells.Select(c => c.Caption).ToList(),
                [section.Images.Cells.Select(c => c.Path is null ? "–" : $"![{Cell(c.Caption)}]({c.Path})").ToList()]), escape: false);
        }
        sb.Append("\n## Loss configuration\n\n```text\n").Append(content.LossConfigText.TrimEnd()).Append("\n```\n");
        return sb.ToString();
    }

    static void Table(StringBuilder sb, ReportTable table, bool escape = true)
    {
        string Fix(string s) => escape ? Cell(s) : s;
        sb.Append("| ").Append(string.Join(" | ", table.Headers.Select(Fix))).Append(" |\n");
        sb.Append('|').Append(string.Concat(table.Headers.Select(_ => " --- |"))).Append('\n');
        foreach (var row in table.Rows) sb.Append("| ").Append(string.Join(" | ", row.Select(Fix))).Append(" |\n");
    }

    /// <summary>A pipe would end the cell; backslash-escape it (GFM spec, "Tables").</summary>
    static string Cell(string s) => Text(s).Replace("|", "\\|");

    /// <summary>Markdown emphasis and link characters in file names would change the rendering.</summary>
    static string Text(string s) => s.Replace("\\", "\\\\").Replace("*", "\\*").Replace("_", "\\_").Replace("[", "\\[").Replace("]", "\\]").Replace("`", "\\`");
}
