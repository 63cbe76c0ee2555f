using FastStyle.Data.Imaging;
using FastStyle.TestSupport;

namespace FastStyle.Data.Tests;

/// <summary>Checks against the real images in ../shared; skipped when it is absent.</summary>
public sealed class SharedDataTests
{
    [SharedDataFact]
    public void Every_shared_content_and_style_image_has_a_readable_header()
    {
        var folders = new[] { Path.GetDirectoryName(SharedData.Content("x"))!, Path.GetDirectoryName(SharedData.Style("x"))! };
        var files = folders.Where(Directory.Exists)
            .SelectMany(f => Directory.EnumerateFiles(f, "*", SearchOption.AllDirectories))
            .Where(ImageFile.HasImageExtension)
            .ToList();
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var info = ImageFile.ReadInfo(file); // header only: cheap even for large photos
            Assert.True(info.Width > 0 && info.Height > 0, file);
        }
    }
}
