using FastStyle.Data;
using FastStyle.Data.Imaging;
using FastStyle.Inference;

namespace FastStyle.Inference.Tests;

/// <summary>`faststyle stylize`'s library side: input expansion, output naming, sizes, failures per file.</summary>
public sealed class StylizeJobTests : IDisposable
{
    static readonly IImageCodec Codec = SkiaImageCodec.Instance;
    readonly TempFolder temp = new();
    readonly string model;

    public StylizeJobTests()
    {
        var arch = new TransformerArchitecture(4, 1);
        model = temp.File("m.onnx");
        TransformerOnnxExporter.Write(model, arch, TestModels.RandomWeights(arch, 3), TestModels.Metadata(arch));
    }

    public void Dispose() => temp.Dispose();

    string WriteImage(string name, int width, int height)
    {
        string path = temp.File(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        ImageFile.Save(TestModels.SmoothImage(width, height, width * 31 + height), path);
        return path;
    }

    [Fact]
    public void FolderOutputKeepsStemsAndInputSizes()
    {
        var a = WriteImage("in/a.png", 37, 21);
        var b = WriteImage("in/b.jpg", 16, 30);
        var outDir = temp.File("out") + "/";
        var items = StylizeJob.Plan([a, b], outDir, Codec);
        Assert.Equal([Path.Combine(outDir, "a.png"), Path.Combine(outDir, "b.jpg")], items.Select(i => i.Output));
        using var stylizer = Stylizer.Load(model, TestModels.Options);
        var outcomes = StylizeJob.Run(stylizer, items, StyleSettings.Default, size: null, Codec);
        Assert.All(outcomes, o => Assert.Null(o.Error));
        Assert.Equal((37, 21), Size(ImageFile.ReadInfo(items[0].Output)));
        Assert.Equal((16, 30), Size(ImageFile.ReadInfo(items[1].Output)));
    }

    [Fact]
    public void SizeOptionSetsTheLongestSide()
    {
        var a = WriteImage("c.png", 40, 20);
        using var stylizer = Stylizer.Load(model, TestModels.Options);
        var items = StylizeJob.Plan([a], temp.File("c-out.webp"), Codec);
        StylizeJob.Run(stylizer, items, StyleSettings.Default, size: 24, Codec);
        Assert.Equal((24, 12), Size(ImageFile.ReadInfo(temp.File("c-out.webp"))));
    }

    [Fact]
    public void AFolderInputExpandsToItsImages()
    {
        WriteImage("dir/x.png", 12, 12);
        WriteImage("dir/y.png", 12, 12);
        File.WriteAllText(temp.File("dir/notes.txt"), "not an image");
        var items = StylizeJob.Plan([temp.File("dir")], temp.File("o"), Codec);
        Assert.Equal(["x.png", "y.png"], items.Select(i => Path.GetFileName(i.Output)));
    }

    [Fact]
    public void OneBadImageInABatchIsReportedAndTheRestAreWritten()
    {
        var good = WriteImage("g.png", 20, 20);
        string bad = temp.File("bad.jpg");
        File.WriteAllText(bad, "this is not a jpeg");
        var items = StylizeJob.Plan([bad, good], temp.File("out2"), Codec);
        using var stylizer = Stylizer.Load(model, TestModels.Options);
        var outcomes = StylizeJob.Run(stylizer, items, StyleSettings.Default, size: null, Codec);
        Assert.Contains("bad.jpg", outcomes[0].Error);
        Assert.Null(outcomes[1].Error);
        Assert.True(File.Exists(items[1].Output));
        Assert.False(File.Exists(items[0].Output));
    }

    [Fact]
    public void PlanErrorsNameTheProblem()
    {
        Assert.Contains("missing.png", Assert.Throws<FastStyleError>(() => StylizeJob.Plan([temp.File("missing.png")], temp.File("o.png"), Codec)).Message);
        var a = WriteImage("p.png", 8, 8);
        Assert.Contains(".tiff", Assert.Throws<FastStyleError>(() => StylizeJob.Plan([a], temp.File("o.tiff"), Codec)).Message);
        var b = WriteImage("sub1/same.png", 8, 8);
        var c = WriteImage("sub2/same.png", 8, 8);
        Assert.Contains("both", Assert.Throws<FastStyleError>(() => StylizeJob.Plan([b, c], temp.File("o3"), Codec)).Message);
    }

    static (int, int) Size(ImageInfo info) => (info.Width, info.Height);
}
