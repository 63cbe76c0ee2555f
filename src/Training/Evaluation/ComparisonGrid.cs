using FastStyle.Data.Imaging;
using SkiaSharp;

namespace FastStyle.Training.Evaluation;

/// <summary>
/// Draws the grid image (content | network | Gatys@checkpoints | style per row) with SkiaSharp, laid out
/// by <see cref="ComparisonGridLayout"/>. Cells are resampled with the project's Lanczos resize
/// (<see cref="ImageResize"/>) so the grid shows what the files contain, not a blurrier preview.
/// A missing cell (an interrupted run) is a grey box of the row's content aspect.
/// </summary>
internal static class ComparisonGrid
{
    static readonly SKColor Background = SKColors.White;
    static readonly SKColor Missing = new(0xDD, 0xDD, 0xDD);
    const float MaxFontSize = 15f;

    /// <param name="rows">Per content image, one image per column (null = missing); the content image (column 0) must be present.</param>
    public static void Write(string path, IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<RgbImage?>> rows)
    {
        if (rows.Any(r => r.Count != headers.Count)) throw new ArgumentException("every row needs one image per header", nameof(rows));
        var sizes = rows.Select(r => (IReadOnlyList<(int, int)>)r.Select(img => img is null ? (r[0]!.Width, r[0]!.Height) : (img.Width, img.Height)).ToList()).ToList();
        var layout = new ComparisonGridLayout(sizes);

        using var surface = new SKBitmap(new SKImageInfo(layout.Width, layout.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(surface))
        {
            canvas.Clear(Background);
            DrawHeaders(canvas, layout, headers);
            for (int r = 0; r < rows.Count; r++)
                for (int c = 0; c < headers.Count; c++)
                {
                    var (w, h) = sizes[r][c];
                    int cellWidth = ComparisonGridLayout.CellWidth(w, h);
                    int x = layout.ColumnX(c) + (layout.ColumnWidths[c] - cellWidth) / 2, y = layout.RowY(r);
                    if (rows[r][c] is { } image)
                    {
                        using var cell = ImageFile.ToBitmap(ImageResize.Resize(image, cellWidth, ComparisonGridLayout.CellHeight));
                        canvas.DrawBitmap(cell, x, y, SKSamplingOptions.Default); // 1:1 copy: the cell is already at its final size
                    }
                    else
                    {
                        using var paint = new SKPaint { Color = Missing };
                        canvas.DrawRect(x, y, cellWidth, ComparisonGridLayout.CellHeight, paint);
                    }
                }
        }
        ImageFile.Save(surface, path); // the format follows the extension: grid.jpg is a JPEG
    }

    /// <summary>Labels centred over their columns, shrunk to fit a narrow column.</summary>
    static void DrawHeaders(SKCanvas canvas, ComparisonGridLayout layout, IReadOnlyList<string> headers)
    {
        // SkiaSharp's default typeface has no glyphs without fontconfig; BundledFont ships one.
        using var font = new SKFont(BundledFont.Typeface, MaxFontSize);
        using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        for (int c = 0; c < headers.Count; c++)
        {
            float available = layout.ColumnWidths[c];
            font.Size = MaxFontSize;
            float width = font.MeasureText(headers[c]);
            if (width > available && width > 0) font.Size = Math.Max(6f, MaxFontSize * available / width);
            float centre = layout.ColumnX(c) + layout.ColumnWidths[c] / 2f;
            float baseline = (ComparisonGridLayout.HeaderHeight + font.Size * 0.7f) / 2f;
            canvas.DrawText(headers[c], centre, baseline, SKTextAlign.Center, font, paint);
        }
    }
}
