namespace FastStyle.Inference;

/// <summary>How the transformer network upsamples back to full resolution.</summary>
public enum UpsampleMode
{
    /// <summary>Nearest-neighbour x2 then a 3x3 conv: avoids checkerboard artifacts (Odena et al. 2016).</summary>
    Nearest,
    /// <summary>3x3 transposed conv, stride 2 (Johnson et al. 2016 original).</summary>
    Transpose,
}

/// <summary>How <see cref="UpsampleMode"/> is spelled in configs, checkpoints and ONNX metadata: one spelling, read strictly.</summary>
public static class UpsampleModes
{
    public static string[] Names { get; } = ["nearest", "transpose"];

    public static string Name(UpsampleMode mode) => mode == UpsampleMode.Transpose ? "transpose" : "nearest";

    /// <summary>The mode for an exact name; null for anything else (never a silent default).</summary>
    public static UpsampleMode? Parse(string? name) => name switch
    {
        "nearest" => UpsampleMode.Nearest,
        "transpose" => UpsampleMode.Transpose,
        _ => null,
    };
}

/// <summary>
/// The shape of a Johnson-style transformer network (Johnson, Alahi, Fei-Fei 2016, with instance
/// norm per Ulyanov et al. 2016). Shared by the TorchSharp network (training) and the ONNX
/// exporter (inference) so both build the same graph from the same weights.
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
/// </summary>
public sealed record TransformerArchitecture(int BaseChannels = 32, int ResidualBlocks = 5, UpsampleMode Upsample = UpsampleMode.Nearest)
{
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
        : null;

    /// <summary>The config keys and values, as a config and the training banner show them.</summary>
    public override string ToString() => $"base_channels {BaseChannels}, residual_blocks {ResidualBlocks}, upsample {UpsampleModes.Name(Upsample)}";

    /// <summary>Channel widths scale with the multiplier; the paper's CPU advice is 0.5 (c9s1-16 ... R64x5).</summary>
    public static TransformerArchitecture FromWidth(double widthMultiplier, int residualBlocks, UpsampleMode upsample)
    {
        int channels = (int)Math.Round(DefaultBaseChannels * widthMultiplier);
        if (channels < 1) throw new ArgumentOutOfRangeException(nameof(widthMultiplier), "width multiplier gives no channels");
        return new TransformerArchitecture(channels, residualBlocks, upsample);
    }
}
