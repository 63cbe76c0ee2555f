using FastStyle.Data;
using FastStyle.Data.Weights;
using FastStyle.Training.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FastStyle.Training.LossNetwork;

/// <summary>How the loss network downsamples between blocks.</summary>
public enum VggPooling { Max, [Inference.Spelled("avg")] Average }

/// <summary>
/// Frozen VGG `features` returning named ReLU activations ("relu1_1", "relu4_2", ...).
/// Takes RGB in [0,1] and normalises with ImageNet mean/std inside, so every caller uses the
/// project's single pixel convention. Built only up to the deepest layer a loss needs.
/// Optional average pooling: Gatys et al. (2016) found it gives better gradients for optimisation.
/// </summary>
public sealed class VggLossNetwork : nn.Module<Tensor, Dictionary<string, Tensor>>
{
    static readonly float[] ImageNetMean = [0.485f, 0.456f, 0.406f];
    static readonly float[] ImageNetStd = [0.229f, 0.224f, 0.225f];

    readonly Sequential features;
    readonly Tensor mean;
    readonly Tensor std;
    readonly (nn.Module<Tensor, Tensor> module, string? tap)[] steps;
    readonly (int step, Conv2d conv, VggConv layer)[] convs;

    public VggArchitecture Architecture { get; }
    public IReadOnlySet<string> Taps { get; }
    public ScalarType ComputeType { get; private set; } = ScalarType.Float32;

    /// <summary>Per-tap factors applied to the features (<see cref="ActivationScale"/>); null: features as the weights give them.</summary>
    public IReadOnlyDictionary<string, float>? FeatureScales { get; private set; }

    VggLossNetwork(VggArchitecture architecture, IReadOnlyCollection<string> taps, VggPooling pooling) : base("vgg")
    {
        Architecture = architecture;
        Taps = new HashSet<string>(taps);
        int deepest = taps.Max(architecture.TapPosition);
        var named = new List<(string, nn.Module<Tensor, Tensor>)>();
        var stepList = new List<(nn.Module<Tensor, Tensor>, string?)>();
        var convList = new List<(int, Conv2d, VggConv)>();
        for (int i = 0; i <= deepest; i++)
        {
            var c = architecture.Convs[i];
            var conv = nn.Conv2d(c.InChannels, c.OutChannels, 3, padding: 1);
            // In place, as torchvision's VGG: the conv's output is not needed for backward (the weights are
            // frozen), so the ReLU can overwrite it; one buffer fewer per layer (one 512-px optimisation
            // evaluation in fp32: 1.26 -> 1.15 s).
            var relu = nn.ReLU(inplace: true);
            named.Add((c.FeatureIndex.ToString(System.Globalization.CultureInfo.InvariantCulture), conv));
            named.Add(((c.FeatureIndex + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), relu));
            convList.Add((stepList.Count, conv, c));
            stepList.Add((conv, null));
            stepList.Add((relu, Taps.Contains(c.TapName) ? c.TapName : null));
            if (c.PoolAfter && i < deepest)
            {
                nn.Module<Tensor, Tensor> pool = pooling == VggPooling.Max ? nn.MaxPool2d(2, 2) : nn.AvgPool2d(2, 2);
                named.Add(((c.FeatureIndex + 2).ToString(System.Globalization.CultureInfo.InvariantCulture), pool));
                stepList.Add((pool, null));
            }
        }
        features = nn.Sequential(named);
        steps = stepList.ToArray();
        convs = convList.ToArray();
        mean = torch.tensor(ImageNetMean, [1, 3, 1, 1]);
        std = torch.tensor(ImageNetStd, [1, 3, 1, 1]);
        RegisterComponents();
    }

    /// <summary>
    /// Loads a VGG from a weight file with torchvision names (safetensors, or a PyTorch state dict such
    /// as torchvision's own vgg19-dcbb9e9d.pth, whose `classifier.*` tensors are ignored), keeping only
    /// what <paramref name="taps"/> need.
    /// </summary>
    public static VggLossNetwork Load(string path, VggArchitecture architecture, IReadOnlyCollection<string> taps, VggPooling pooling = VggPooling.Max)
    {
        foreach (var tap in taps)
            if (architecture.UnknownTap(tap) is { } problem)
                throw new FastStyleError("loss " + problem);
        var net = new VggLossNetwork(architecture, taps, pooling);
        net.LoadWeights(Weights.WeightFile.ReadTensors(path), path);
        // The file's arrays (80 MB for VGG-19) are garbage now, but until the GC compacts the large object
        // heap they stay resident through the whole run: 130 MB more peak RSS at 4x256 (issue 10).
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect();
        return net;
    }

    /// <summary>Builds a network from weights in memory; tests use it (InternalsVisibleTo) to skip writing a weight file.</summary>
    internal static VggLossNetwork FromTensors(IReadOnlyDictionary<string, TensorData> tensors, VggArchitecture architecture,
        IReadOnlyCollection<string> taps, VggPooling pooling = VggPooling.Max, string source = "weights")
    {
        var net = new VggLossNetwork(architecture, taps, pooling);
        net.LoadWeights(tensors, source);
        return net;
    }

    void LoadWeights(IReadOnlyDictionary<string, TensorData> tensors, string source)
    {
        using var _ = torch.no_grad();
        foreach (var (name, parameter) in named_parameters())
        {
            string key = name; // "features.N.weight" thanks to the field name and Sequential indices
            if (!tensors.TryGetValue(key, out var data))
            {
                string hint = architecture16Hint(key);
                throw new FastStyleError($"VGG weights '{source}': missing tensor '{key}' for {Architecture.Name}{hint}");
            }
            if (!data.Shape.SequenceEqual(parameter.shape))
                throw new FastStyleError($"VGG weights '{source}': tensor '{key}' has shape {data.ShapeText}, {Architecture.Name} expects [{string.Join(",", parameter.shape)}]");
            // A NaN weight would surface much later as a NaN loss blamed on the learning rate.
            int bad = Array.FindIndex(data.Values, v => !float.IsFinite(v));
            if (bad >= 0)
                throw new FastStyleError($"VGG weights '{source}': tensor '{key}' holds {data.Values[bad]} at index {bad}; the file is corrupt");
            TensorDataCopies.CopyInto(parameter, data);
        }
        foreach (var (conv, _) in steps)
            if (conv is Conv2d c) c.weight = new Parameter(Tensors.ChannelsLast.Of(c.weight!), requires_grad: false); // see ChannelsLast
        foreach (var p in parameters()) p.requires_grad = false;
        eval();
        ChooseConvolutions();

        string architecture16Hint(string key)
            => Architecture == VggArchitecture.Vgg19 && tensors.ContainsKey("features.28.weight") && !tensors.ContainsKey("features.34.weight")
                ? " (this looks like a VGG-16 file: set `network: vgg16` in the loss config)"
                : " (expected torchvision names features.N.weight/bias)";
    }

    /// <summary>
    /// Runs the loss network in bfloat16 (weights converted once). Activations come back in the
    /// compute type unless asked for in float32 (<see cref="Features"/>): Gram matrices then multiply
    /// in bfloat16 and only their [N,C,C] results are float32, as under PyTorch's autocast
    /// (<see cref="Losses.LossFunctions"/>). Why: libtorch's float32 matmul reached 210 GFLOP/s on an
    /// AVX-512 EPYC against 840 in bfloat16 (its float32 convolutions about 420), and the taps need
    /// no float32 copies. A 4x256 training step went 1.29 -> 1.12 s and one 256-px optimisation
    /// iteration 0.148 -> 0.129 s; losses stay within 1% of float32 (PrecisionTests), and 100 L-BFGS
    /// iterations ended within 0.6% of the float32-tap run's loss on two photos.
    /// </summary>
    public VggLossNetwork UseComputeType(ScalarType type)
    {
        if (type != ComputeType)
        {
            this.to(type);
            ComputeType = type;
            ChooseConvolutions();
        }
        return this;
    }

    bool? winogradForced = WinogradF4x3.Forced;

    /// <summary>Overrides <see cref="WinogradPolicy"/>'s per-layer choice (true: every layer it can run, false: none, null: the policy).</summary>
    internal VggLossNetwork ForceWinograd(bool? forced)
    {
        winogradForced = forced;
        ChooseConvolutions();
        return this;
    }

    /// <summary>How many conv layers run as <see cref="WinogradConv3x3"/> (see <see cref="WinogradPolicy"/>).</summary>
    public int WinogradLayers => convs.Count(c => steps[c.step].module is WinogradLayer);

    /// <summary>Which convolutions run, one phrase for logs and metrics (speed and memory differ between them).</summary>
    public string ConvolutionSummary => WinogradLayers == 0
        ? "direct (oneDNN)"
        : $"Winograd F(4x4,3x3) on {WinogradLayers} of {convs.Length} layers, the rest direct (oneDNN); {WinogradF4x3.SwitchVariable}=0 makes all direct";

    /// <summary>Puts each conv layer's Winograd or direct form in the steps, per <see cref="WinogradPolicy"/> for the compute type.</summary>
    void ChooseConvolutions()
    {
        foreach (var (step, conv, layer) in convs)
        {
            bool winograd = WinogradPolicy.Applies(layer, ComputeType, winogradForced);
            if (steps[step].module is WinogradLayer current)
            {
                if (winograd) continue; // its filters are still right: the weights are frozen
                current.Dispose();
            }
            steps[step].module = winograd ? new WinogradLayer(conv) : conv;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            foreach (var (step, _, _) in convs)
                if (steps[step].module is WinogradLayer winograd) winograd.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>A frozen conv layer computed by <see cref="WinogradConv3x3"/>; it holds transformed filters, not parameters.</summary>
    sealed class WinogradLayer(Conv2d conv) : nn.Module<Tensor, Tensor>("winograd")
    {
        readonly WinogradConv3x3 winograd = new(conv.weight!, conv.bias);

        public override Tensor forward(Tensor input) => winograd.Apply(input);

        protected override void Dispose(bool disposing)
        {
            if (disposing) winograd.Dispose();
            base.Dispose(disposing);
        }
    }

    /// <summary>Multiplies each tap's features by its factor from now on (null: none); see <see cref="ActivationScale"/>.</summary>
    public VggLossNetwork UseFeatureScales(IReadOnlyDictionary<string, float>? scales)
    {
        FeatureScales = scales;
        return this;
    }

    public override Dictionary<string, Tensor> forward(Tensor rgb) => Features(rgb, Taps);

    /// <summary>
    /// Activations of the <paramref name="wanted"/> taps only, stopping after the deepest of them
    /// (the training content target needs relu2_2, a fraction of the network's cost), times their
    /// <see cref="FeatureScales"/> when set; in the compute type, or float32 when
    /// <paramref name="float32Taps"/> (targets computed once, which should not carry bfloat16 rounding).
    /// </summary>
    public Dictionary<string, Tensor> Features(Tensor rgb, IReadOnlyCollection<string> wanted, bool float32Taps = false)
    {
        var features = RawFeatures(rgb, wanted, float32Taps);
        if (FeatureScales is { } scales)
            foreach (var tap in features.Keys.ToList())
                features[tap] = features[tap] * scales[tap];
        return features;
    }

    /// <summary>The activations as the weights give them, without <see cref="FeatureScales"/>.</summary>
    public Dictionary<string, Tensor> RawFeatures(Tensor rgb, IReadOnlyCollection<string> wanted, bool float32Taps = false)
    {
        // Each intermediate's handle is released as soon as the next layer has consumed it. In Python
        // reference counting frees them there; in TorchSharp they would live until the step's dispose
        // scope ends, which kept every pre-ReLU conv output and the whole no-grad content pass alive
        // through backward (about 0.7 GB at 4x256). Autograd holds its own references to what it saves.
        using var centred = rgb - mean;
        using var normalised = centred / std;
        using var computeTyped = normalised.to(ComputeType);
        var x = Tensors.ChannelsLast.Of(computeTyped);
        var taps = new Dictionary<string, Tensor>(wanted.Count);
        bool xIsTap = false;
        foreach (var (module, tap) in steps)
        {
            var next = module.call(x);
            if (!xIsTap) x.Dispose();
            x = next;
            xIsTap = false;
            if (tap == null || !wanted.Contains(tap)) continue;
            xIsTap = ComputeType == ScalarType.Float32 || !float32Taps;
            taps[tap] = xIsTap ? x : x.to(ScalarType.Float32);
            if (taps.Count == wanted.Count) break;
        }
        if (!xIsTap) x.Dispose();
        return taps;
    }
}
