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

    /// <summary>Channel widths scale with the multiplier; the paper's CPU advice is 0.5 (c9s1-16 ... R64x5).</summary>
    public static TransformerArchitecture FromWidth(double widthMultiplier, int residualBlocks, UpsampleMode upsample)
    {
        int channels = (int)Math.Round(32 * widthMultiplier);
        if (channels < 1) throw new ArgumentOutOfRangeException(nameof(widthMultiplier), "width multiplier gives no channels");
        return new TransformerArchitecture(channels, residualBlocks, upsample);
    }
}
