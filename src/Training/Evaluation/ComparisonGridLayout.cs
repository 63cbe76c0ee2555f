namespace FastStyle.Training.Evaluation;

/// <summary>
/// Geometry of grid.jpg: a header row of labels, then one row per content image. Every cell is
/// <see cref="CellHeight"/> pixels tall with its width from the image's aspect ratio, so images are
/// never cropped or distorted; a column is as wide as its widest cell (cells are centred in it)
/// so the header labels line up.
///   width  = Gap + sum over columns of (column width + Gap)
///   height = HeaderHeight + rows * (CellHeight + Gap)
/// </summary>
internal sealed class ComparisonGridLayout
{
    public const int CellHeight = 192;
    public const int Gap = 8;
    public const int HeaderHeight = 32;

    public IReadOnlyList<int> ColumnWidths { get; }
    public int Rows { get; }
    public int Width => Gap + ColumnWidths.Sum(w => w + Gap);
    public int Height => HeaderHeight + Rows * (CellHeight + Gap);

    /// <param name="cellSizes">Per row, per column, the source image's (width, height).</param>
    public ComparisonGridLayout(IReadOnlyList<IReadOnlyList<(int Width, int Height)>> cellSizes)
    {
        if (cellSizes.Count == 0) throw new ArgumentException("a grid needs at least one row", nameof(cellSizes));
        int columns = cellSizes[0].Count;
        if (columns == 0 || cellSizes.Any(r => r.Count != columns)) throw new ArgumentException("every grid row needs the same, non-zero number of cells", nameof(cellSizes));
        Rows = cellSizes.Count;
        ColumnWidths = Enumerable.Range(0, columns).Select(c => cellSizes.Max(r => CellWidth(r[c].Width, r[c].Height))).ToList();
    }

    /// <summary>Width of a cell showing a <paramref name="width"/> x <paramref name="height"/> image at <see cref="CellHeight"/>.</summary>
    public static int CellWidth(int width, int height) => Math.Max(1, (int)Math.Round((double)CellHeight * width / height, MidpointRounding.AwayFromZero));

    public int ColumnX(int column) => Gap + ColumnWidths.Take(column).Sum(w => w + Gap);

    public int RowY(int row) => HeaderHeight + row * (CellHeight + Gap);
}
