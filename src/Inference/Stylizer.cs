using FastStyle.Data;
using FastStyle.Data.Imaging;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;

namespace FastStyle.Inference;

/// <summary>
/// Runs an exported FastStyle model with ONNX Runtime. Thread-safe for concurrent calls
/// (InferenceSession.Run is). Images keep the project's planar CHW [0,1] layout, which is the
/// model's NCHW input as is, so no pixel is reordered.
/// </summary>
public sealed class Stylizer : IDisposable
{
    /// <summary>Smallest H or W the graph accepts: reflection pads must be smaller than the padded
    /// dimension (9x9 conv pads 4 on the size rounded up to a multiple of 4, i.e. 8 for 5..8).</summary>
    public const int MinImageSize = 5;

    readonly InferenceSession session;
    static readonly string[] InputNames = [TransformerOnnxExporter.InputName];
    static readonly string[] MultiStyleInputNames = [TransformerOnnxExporter.InputName, TransformerOnnxExporter.StyleWeightsName];
    static readonly string[] OutputNames = [TransformerOnnxExporter.OutputName];

    public string ModelPath { get; }
    public ModelMetadata Metadata { get; }

    /// <summary>How many convolutions run as Winograd F(4x4,3x3) (<see cref="StylizerOptions.Winograd"/>); 0 = all direct.</summary>
    public int WinogradConvolutions { get; }

    Stylizer(string modelPath, ModelMetadata metadata, InferenceSession session, int winogradConvolutions)
    {
        ModelPath = modelPath;
        Metadata = metadata;
        this.session = session;
        WinogradConvolutions = winogradConvolutions;
    }

    /// <summary>Validates the file's metadata (<see cref="ModelMetadata.ReadFromOnnx"/>) before building a session.</summary>
    public static Stylizer Load(string modelPath, StylizerOptions? options = null)
    {
        options ??= new StylizerOptions();
        var (metadata, bytes) = ModelMetadata.ReadValidated(modelPath);
        int winograd = 0;
        if (options.ResolvedWinograd)
        {
            // Measured on a 2-core AVX2 EPYC (Zen 3), the same process alternating the two graphs:
            // 256 px 131 -> 105 ms, 512 px 573 -> 506 ms (`bench/FastStyle.Bench ort variants=s1f,s1fw`).
            var model = Onnx.ModelProto.Parser.ParseFrom(bytes);
            winograd = Onnx.WinogradRewrite.Apply(model.Graph);
            if (winograd > 0) bytes = model.ToByteArray();
        }
        using var sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = options.ResolvedIntraOpThreads,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        // Intra-op threads spin-wait for the next operator during a run (a blocked thread takes a
        // futex wake per parallel section, and a run has ~100 operators), and stop spinning as soon as
        // the run returns, so an idle process costs nothing (without the stop they spun ~50 ms after
        // every run). Measured in separate processes on a 2-core AVX2 EPYC (Zen 3): 256 px 150-197 ->
        // 132-152 ms, 512 px 685-720 -> 603-630 ms, 0 ms CPU in the second after a run
        // (bench/FastStyle.Bench `ort idle=1 variants=s0|s1f`). Keys: onnxruntime_session_options_config_keys.h.
        sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", "1");
        sessionOptions.AddSessionConfigEntry("session.force_spinning_stop", "1");
        try
        {
            return new Stylizer(modelPath, metadata, new InferenceSession(bytes, sessionOptions), winograd);
        }
        catch (OnnxRuntimeException e)
        {
            throw new FastStyleError($"model '{modelPath}': ONNX Runtime cannot load it ({e.Message.ReplaceLineEndings(" ")})", e);
        }
    }

    /// <summary>
    /// Stylises one image; the result has the content's size. A tiled image checks
    /// <paramref name="cancel"/> between tiles (one 4096x3072 image is about a minute of work), and
    /// <paramref name="onTile"/> reports (tiles done, tiles in all).
    /// </summary>
    public RgbImage Stylize(RgbImage content, StyleSettings settings, CancellationToken cancel = default, Action<int, int>? onTile = null)
    {
        settings.Validate();
        CheckSize(content.Width, content.Height);
        if (settings.Strength == 0f)
            return new RgbImage(content.Width, content.Height, (float[])content.Pixels.Clone());

        float[] styleWeights = StyleWeightsFor(settings);
        int tile = settings.EffectiveTileSize(content.Width, content.Height);
        float[] stylized = tile == 0
            ? Run(content.Pixels, 1, content.Height, content.Width, styleWeights)
            : RunTiled(content, tile, settings.TileOverlap, styleWeights, cancel, onTile);
        return Finish(content, stylized, settings);
    }

    /// <summary>
    /// Stylises several images of one size in a single ORT call (instance norm is per image, so the
    /// results equal one-by-one calls). Images that need tiling are processed one by one.
    /// </summary>
    public IReadOnlyList<RgbImage> StylizeBatch(IReadOnlyList<RgbImage> contents, StyleSettings settings)
    {
        settings.Validate();
        if (contents.Count == 0) return [];
        int w = contents[0].Width, h = contents[0].Height;
        if (contents.Any(c => c.Width != w || c.Height != h))
            throw new ArgumentException("all images of a batch must have the same size", nameof(contents));
        if (contents.Count == 1 || settings.Strength == 0f || settings.EffectiveTileSize(w, h) != 0)
            return contents.Select(c => Stylize(c, settings)).ToList();

        CheckSize(w, h);
        int size = 3 * w * h;
        var batch = new float[contents.Count * size];
        for (int i = 0; i < contents.Count; i++) contents[i].Pixels.CopyTo(batch, i * size);
        float[] output = Run(batch, contents.Count, h, w, StyleWeightsFor(settings));
        return contents.Select((c, i) => Finish(c, output.AsSpan(i * size, size).ToArray(), settings)).ToList();
    }

    static RgbImage Finish(RgbImage content, float[] stylized, StyleSettings settings)
    {
        if (settings.PreserveColor) ColorTransfer.PreserveContentColor(content, stylized);
        ColorTransfer.Blend(content, stylized, settings.Strength);
        return new RgbImage(content.Width, content.Height, stylized);
    }

    static void CheckSize(int width, int height)
    {
        if (width < MinImageSize || height < MinImageSize)
            throw new FastStyleError($"image {width}x{height} is too small to stylise (minimum {MinImageSize}x{MinImageSize})");
    }

    /// <summary>The style-weight row every image is run with (empty for a single-style model).</summary>
    float[] StyleWeightsFor(StyleSettings settings)
    {
        int styles = Metadata.Architecture.Styles;
        if (!Metadata.Architecture.IsMultiStyle) return [];
        if (settings.StyleWeights is not { } weights) return StyleMix.FirstStyle(styles);
        if (weights.Count != styles)
            throw new FastStyleError($"style setting 'style_weights': {weights.Count} weights for model '{ModelPath}', which holds {styles} styles ({string.Join(", ", Metadata.Styles.Select(s => s.Name))})");
        return weights.ToArray();
    }

    /// <summary>One ORT call on an [n,3,h,w] batch. Input and output tensors wrap managed arrays (no copies).</summary>
    internal float[] Run(float[] nchw, int n, int height, int width, float[]? styleWeights = null)
    {
        long[] shape = [n, 3, height, width];
        var result = new float[nchw.Length];
        using var input = OrtValue.CreateTensorValueFromMemory(nchw, shape);
        using var output = OrtValue.CreateTensorValueFromMemory(result, shape);
        using var runOptions = new RunOptions();
        if (styleWeights is not { Length: > 0 })
        {
            session.Run(runOptions, InputNames, [input], OutputNames, [output]);
            return result;
        }
        // Every image of the batch gets the same style row.
        var rows = new float[n * styleWeights.Length];
        for (int i = 0; i < n; i++) styleWeights.CopyTo(rows, i * styleWeights.Length);
        using var weights = OrtValue.CreateTensorValueFromMemory(rows, [n, styleWeights.Length]);
        session.Run(runOptions, MultiStyleInputNames, [input, weights], OutputNames, [output]);
        return result;
    }

    /// <summary>Stylises overlapping tiles and stitches them with <see cref="TileLayout"/> weights.</summary>
    float[] RunTiled(RgbImage content, int tile, int overlap, float[] styleWeights, CancellationToken cancel, Action<int, int>? onTile)
    {
        int tiles = TileLayout.Starts(content.Height, tile, overlap).Length * TileLayout.Starts(content.Width, tile, overlap).Length, done = 0;
        int w = content.Width, h = content.Height, plane = w * h;
        int tw = Math.Min(tile, w), th = Math.Min(tile, h);
        var sum = new float[3 * plane];
        var weightSum = new float[plane];
        var tileIn = new float[3 * tw * th];
        var src = content.Pixels;

        foreach (int y0 in TileLayout.Starts(h, tile, overlap))
        {
            float[] wy = TileLayout.Weights(y0, th, h, overlap);
            foreach (int x0 in TileLayout.Starts(w, tile, overlap))
            {
                cancel.ThrowIfCancellationRequested();
                float[] wx = TileLayout.Weights(x0, tw, w, overlap);
                for (int ch = 0; ch < 3; ch++)
                    for (int y = 0; y < th; y++)
                        Array.Copy(src, ch * plane + (y0 + y) * w + x0, tileIn, (ch * th + y) * tw, tw);

                float[] tileOut = Run(tileIn, 1, th, tw, styleWeights);

                for (int y = 0; y < th; y++)
                    for (int x = 0; x < tw; x++)
                    {
                        float wt = wy[y] * wx[x];
                        int dst = (y0 + y) * w + x0 + x;
                        weightSum[dst] += wt;
                        for (int ch = 0; ch < 3; ch++)
                            sum[ch * plane + dst] += wt * tileOut[(ch * th + y) * tw + x];
                    }
                onTile?.Invoke(++done, tiles);
            }
        }

        for (int i = 0; i < plane; i++)
        {
            float inv = 1f / weightSum[i];
            for (int ch = 0; ch < 3; ch++) sum[ch * plane + i] *= inv;
        }
        return sum;
    }

    public void Dispose() => session.Dispose();
}
