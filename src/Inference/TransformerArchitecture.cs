namespace FastStyle.Inference;

/// <summary>How the transformer network upsamples back to full resolution.</summary>
public enum UpsampleMode
{
    /// <summary>Nearest-neighbour x2 then a 3x3 conv: avoids checkerboard artifacts (Odena et al. 2016).</summary>
    Nearest,
    /// <summary>3x3 transposed conv, stride 2 (Johnson et al. 2016 original).</summary>
    Transpose,
}

/// <summary>
/// The shape of a Johnson-style transformer network (Johnson, Alahi, Fei-Fei 2016, with instance
/// norm per Ulyanov et al. 2016). <see cref="Layers"/> is the one description of the layer layout:
/// the TorchSharp network (training), the state-dict layout and the ONNX graph (inference) and the
/// benchmarks are all built from it, as jcjohnson/fast-neural-style builds its network from one
/// architecture string (<see cref="Notation"/> spells it that way: c9s1-32,d64,d128,R128x5,u64,u32,c9s1-3).
///
/// Layers and state-dict names (c = BaseChannels):
///   conv1 (9x9, 3->c) in1 relu, conv2 (3x3 s2, c->2c) in2 relu, conv3 (3x3 s2, 2c->4c) in3 relu,
///   res1..resN: [conv1 in1 relu conv2 in2] + x,
///   up1 (x2, 4c->2c) in4 relu, up2 (x2, 2c->c) in5 relu, conv_out (9x9, c->3).
/// Every conv is reflection padded by k/2 (ConvLayer keys: "&lt;name&gt;.conv.weight/bias");
/// instance norms are affine, eps 1e-5 ("in1.weight/bias"); up layers: "up1.conv.weight/bias"
/// (Conv2d [out,in,3,3] for Nearest, ConvTranspose2d [in,out,3,3] pad 1 output_padding 1 for Transpose).
/// Input and output: float32 NCHW RGB in [0,1]; the network pads H and W to a multiple of 4 by
/// reflection and crops back, so any size works. Training sees the raw conv_out values; inference
/// (and the ONNX model) clips them to [0,1].
/// (Layers are methods, not properties, so the record's printed form, which ONNX doc strings and
/// messages show, stays "TransformerArchitecture { BaseChannels = 32, ... }".)
///
/// <see cref="Styles"/>: conditional instance normalisation (Dumoulin, Shlens, Kudlur 2017): every norm
/// holds one scale/shift row per style ("in1.weight" [Styles, C]) and a per-sample style-weight vector
/// w ([N, Styles]) picks gamma = w @ weight, beta = w @ bias; the convolutions are shared. Styles = 1 is
/// the plain network with [C] norm parameters, so single-style checkpoints and ONNX files are unchanged.
/// </summary>
public sealed record TransformerArchitecture(int BaseChannels = 32, int ResidualBlocks = 5, UpsampleMode Upsample = UpsampleMode.Nearest, int Styles = 1)
{
    /// <summary>Bound for configs and file metadata: far more styles than anyone trains, small enough that a crafted count cannot allocate much.</summary>
    public const int MaxStyles = 256;

    /// <summary>True when the norms are conditional (more than one style row).</summary>
    public bool IsMultiStyle => Styles > 1;

    /// <summary>The same convolutions and norm layers, whatever the number of style rows: weights of one can seed the other.</summary>
    public bool SharesConvolutionsWith(TransformerArchitecture other) => this with { Styles = 1 } == other with { Styles = 1 };

    /// <summary>Shape of a norm's scale or shift: [C] for one style (the original layout), [Styles, C] for several.</summary>
    public long[] NormShape(int channels) => IsMultiStyle ? [Styles, channels] : [channels];

    public const float InstanceNormEpsilon = 1e-5f;
    public const int DefaultBaseChannels = 32;
    /// <summary>Upper bounds for configs and for metadata read from files: width 4 (128 channels) and
    /// 32 blocks are far beyond any useful network, and a crafted file with base_channels=100000 would
    /// otherwise allocate hundreds of GB before its weights are even compared.</summary>
    public const int MaxBaseChannels = 128;
    public const int MaxResidualBlocks = 32;

    /// <summary>Null when every field is in range, else which one is not and why.</summary>
    public string? Problem() =>
        BaseChannels is < 1 or > MaxBaseChannels ? $"base_channels {BaseChannels} is outside 1..{MaxBaseChannels}"
        : ResidualBlocks is < 0 or > MaxResidualBlocks ? $"residual_blocks {ResidualBlocks} is outside 0..{MaxResidualBlocks}"
        : !Enum.IsDefined(Upsample) ? $"upsample {(int)Upsample} is unknown"
        : Styles is < 1 or > MaxStyles ? $"styles {Styles} is outside 1..{MaxStyles}"
        : null;

    /// <summary>The config keys and values, as a config and the training banner show them (a single-style
    /// network prints as it always did: the text is part of config hashes).</summary>
    public override string ToString() => $"base_channels {BaseChannels}, residual_blocks {ResidualBlocks}, upsample {EnumText<UpsampleMode>.Of(Upsample)}"
        + (IsMultiStyle ? $", styles {Styles}" : "");

    /// <summary>H and W must be multiples of this to come back at the same size (two stride-2 convs, two x2 upsamplings).</summary>
    public const int SizeMultiple = 4;

    /// <summary>Channel widths scale with the multiplier; the paper's CPU advice is 0.5 (c9s1-16 ... R64x5).</summary>
    public static TransformerArchitecture FromWidth(double widthMultiplier, int residualBlocks, UpsampleMode upsample, int styles = 1)
    {
        int channels = (int)Math.Round(DefaultBaseChannels * widthMultiplier);
        if (channels < 1) throw new ArgumentOutOfRangeException(nameof(widthMultiplier), "width multiplier gives no channels");
        return new TransformerArchitecture(channels, residualBlocks, upsample, styles);
    }

    /// <summary>The network's stages in order, with their state-dict names.</summary>
    public IReadOnlyList<TransformerLayer> Layers()
    {
        int c = BaseChannels;
        var layers = new List<TransformerLayer>
        {
            new(TransformerLayerKind.Conv, "conv1", 3, c, 9, 1, "in1"),
            new(TransformerLayerKind.Conv, "conv2", c, 2 * c, 3, 2, "in2"),
            new(TransformerLayerKind.Conv, "conv3", 2 * c, 4 * c, 3, 2, "in3"),
        };
        for (int r = 1; r <= ResidualBlocks; r++)
            layers.Add(new(TransformerLayerKind.Residual, $"res{r}", 4 * c, 4 * c, 3, 1, null));
        layers.Add(new(TransformerLayerKind.Upsample, "up1", 4 * c, 2 * c, 3, 1, "in4"));
        layers.Add(new(TransformerLayerKind.Upsample, "up2", 2 * c, c, 3, 1, "in5"));
        layers.Add(new(TransformerLayerKind.Conv, "conv_out", c, 3, 9, 1, null));
        return layers;
    }

    /// <summary>
    /// Every convolution in network order, a residual block contributing its two ("res1.conv1",
    /// norm "res1.in1"; "res1.conv2", norm "res1.in2"), each with its weight layout and the norm after it.
    /// </summary>
    public IEnumerable<TransformerConvolution> Convolutions()
    {
        foreach (var layer in Layers())
        {
            if (layer.Kind == TransformerLayerKind.Residual)
            {
                for (int i = 1; i <= 2; i++)
                    yield return new TransformerConvolution($"{layer.Name}.conv{i}", layer.OutChannels, layer.OutChannels, layer.Kernel, 1,
                        Upsamples: false, Transposed: false, $"{layer.Name}.in{i}");
            }
            else
            {
                bool up = layer.Kind == TransformerLayerKind.Upsample;
                yield return new TransformerConvolution(layer.Name, layer.InChannels, layer.OutChannels, layer.Kernel, layer.Stride,
                    Upsamples: up, Transposed: up && Upsample == UpsampleMode.Transpose, layer.Norm);
            }
        }
    }

    /// <summary>The layout in jcjohnson/fast-neural-style's architecture-string notation, repeated residual blocks as R128x5.</summary>
    public string Notation()
    {
        var layers = Layers();
        var parts = new List<string>();
        for (int i = 0, run; i < layers.Count; i += run)
        {
            run = 1;
            while (layers[i].Kind == TransformerLayerKind.Residual && i + run < layers.Count && layers[i + run].Kind == TransformerLayerKind.Residual) run++;
            parts.Add(run > 1 ? $"{layers[i].Notation}x{run}" : layers[i].Notation);
        }
        return string.Join(",", parts);
    }
}
