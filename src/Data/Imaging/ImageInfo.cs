namespace FastStyle.Data.Imaging;

/// <summary>Size of an image as displayed (after EXIF orientation) and its encoded format, read from the header only.</summary>
public sealed record ImageInfo(int Width, int Height, string Format);
