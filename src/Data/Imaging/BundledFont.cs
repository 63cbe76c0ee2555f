using SkiaSharp;

namespace FastStyle.Data.Imaging;

/// <summary>
/// The font for every text we draw (chart labels, report grids). SkiaSharp's NoDependencies native
/// build has no fontconfig, so a font must be loaded from a file; DejaVu Sans ships next to the
/// assemblies (src/Data/Fonts/README.md).
/// </summary>
public static class BundledFont
{
    public const string FamilyName = "DejaVu Sans";

    public static string FilePath { get; } = Path.Combine(AppContext.BaseDirectory, "fonts", "DejaVuSans.ttf");

    static readonly Lazy<SKTypeface> typeface = new(() =>
        File.Exists(FilePath) ? SKTypeface.FromFile(FilePath) ?? SKTypeface.Default : SKTypeface.Default);

    public static SKTypeface Typeface => typeface.Value;
}
