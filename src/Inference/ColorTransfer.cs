using FastStyle.Data.Imaging;

namespace FastStyle.Inference;

/// <summary>Post-processing of a stylised image against its content image (both planar CHW in [0,1]).</summary>
internal static class ColorTransfer
{
    // BT.601 luma weights, the Y of YIQ and YCbCr alike.
    const float Kr = 0.299f, Kg = 0.587f, Kb = 0.114f;

    /// <summary>
    /// Luminance-only transfer (Gatys et al. 2016, "Preserving Color in Neural Artistic Style
    /// Transfer"): keep the content's chroma and take the stylised luminance. In YIQ (and YCbCr)
    /// the chroma rows are orthogonal to (1,1,1): adding the same d to R, G and B raises Y by d and
    /// leaves I and Q unchanged. So "content chroma + stylised Y" is exactly content + (Ys - Yc) on
    /// every channel; no colour-space round trip or matrix inverse is needed. Results outside the
    /// RGB cube are clipped, which is the only place the chroma can change.
    /// </summary>
    public static void PreserveContentColor(RgbImage content, float[] stylized)
    {
        int n = content.PlaneSize;
        var c = content.Pixels;
        for (int i = 0; i < n; i++)
        {
            float ys = Kr * stylized[i] + Kg * stylized[n + i] + Kb * stylized[2 * n + i];
            float yc = Kr * c[i] + Kg * c[n + i] + Kb * c[2 * n + i];
            float d = ys - yc;
            stylized[i] = Math.Clamp(c[i] + d, 0f, 1f);
            stylized[n + i] = Math.Clamp(c[n + i] + d, 0f, 1f);
            stylized[2 * n + i] = Math.Clamp(c[2 * n + i] + d, 0f, 1f);
        }
    }

    /// <summary>stylized = strength * stylized + (1 - strength) * content, in place.</summary>
    public static void Blend(RgbImage content, float[] stylized, float strength)
    {
        if (strength >= 1f) return;
        var c = content.Pixels;
        for (int i = 0; i < stylized.Length; i++)
            stylized[i] = c[i] + strength * (stylized[i] - c[i]);
    }
}
