using FastStyle.Data.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace FastStyle.Training.Tensors;

/// <summary>Moves images between the planar float convention (RgbImage) and [N,3,H,W] tensors.</summary>
public static class ImageTensors
{
    public static Tensor ToTensor(RgbImage image, Device? device = null)
        => torch.tensor(image.Pixels, [1, 3, image.Height, image.Width], dtype: ScalarType.Float32, device: device);

    public static Tensor ToTensor(IReadOnlyList<RgbImage> images, Device? device = null)
    {
        int w = images[0].Width, h = images[0].Height;
        var data = new float[images.Count * 3 * w * h];
        for (int i = 0; i < images.Count; i++)
        {
            if (images[i].Width != w || images[i].Height != h) throw new ArgumentException("batch images differ in size");
            Array.Copy(images[i].Pixels, 0, data, i * 3 * w * h, 3 * w * h);
        }
        return torch.tensor(data, [images.Count, 3, h, w], dtype: ScalarType.Float32, device: device);
    }

    /// <summary>Image <paramref name="index"/> of a [N,3,H,W] tensor, clipped to [0,1].</summary>
    public static RgbImage ToImage(Tensor batch, int index = 0)
    {
        using var scope = torch.NewDisposeScope();
        var t = batch[index].detach().to(ScalarType.Float32).cpu().clamp(0, 1).contiguous();
        int h = (int)t.shape[1], w = (int)t.shape[2];
        return new RgbImage(w, h, t.data<float>().ToArray());
    }
}
