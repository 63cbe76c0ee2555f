using FastStyle.Training.LossNetwork;
using FastStyle.Training.Losses;
using FastStyle.Training.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace FastStyle.Training.Tests;

/// <summary>The loss terms against values worked out by hand (see the comments).</summary>
public class LossFunctionTests
{
    // A = [1,2,2,2]: channel 0 = [1,2,3,4], channel 1 = [0,1,0,-1] (each a 2x2 map, row-major).
    static Tensor A() => torch.tensor(new float[] { 1, 2, 3, 4, 0, 1, 0, -1 }, [1, 2, 2, 2]);
    // B = [1,2,2,2]: channel 0 = [1,1,1,1], channel 1 = [1,-1,1,-1].
    static Tensor B() => torch.tensor(new float[] { 1, 1, 1, 1, 1, -1, 1, -1 }, [1, 2, 2, 2]);

    static float[] Values(Tensor t) => t.detach().contiguous().data<float>().ToArray();

    [Fact]
    public void Gram_is_FFt_over_CHW()
    {
        using var scope = torch.NewDisposeScope();
        // F F^T: c0.c0 = 1+4+9+16 = 30, c0.c1 = 0+2+0-4 = -2, c1.c1 = 0+1+0+1 = 2; C*H*W = 2*2*2 = 8.
        // G = [[30,-2],[-2,2]] / 8 = [[3.75,-0.25],[-0.25,0.25]].
        var g = LossFunctions.Gram(A());
        Assert.Equal(new long[] { 1, 2, 2 }, g.shape);
        Assert.Equal(new[] { 3.75f, -0.25f, -0.25f, 0.25f }, Values(g));

        // B: c0.c0 = 4, c0.c1 = 1-1+1-1 = 0, c1.c1 = 4 -> [[0.5,0],[0,0.5]].
        Assert.Equal(new[] { 0.5f, 0f, 0f, 0.5f }, Values(LossFunctions.Gram(B())));
    }

    [Fact]
    public void Gram_is_per_image_in_a_batch()
    {
        using var scope = torch.NewDisposeScope();
        var g = LossFunctions.Gram(torch.cat([A(), B()], 0));
        Assert.Equal(new long[] { 2, 2, 2 }, g.shape);
        Assert.Equal(new[] { 3.75f, -0.25f, -0.25f, 0.25f, 0.5f, 0f, 0f, 0.5f }, Values(g));
    }

    [Fact]
    public void Gram_of_channels_last_features_equals_the_plain_layout_with_the_same_gradient()
    {
        using var scope = torch.NewDisposeScope();
        var plain = Fixtures.RandomTensor([2, 5, 3, 4], 11).requires_grad_(true);
        var pixelMajor = ChannelsLast.Of(plain.detach()).requires_grad_(true);
        Assert.True(ChannelsLast.Is(pixelMajor) && !ChannelsLast.Is(plain), "the fixture did not produce both layouts");

        var target = Fixtures.RandomTensor([1, 5, 5], 12);
        var plainLoss = LossFunctions.MeanSquaredError(LossFunctions.Gram(plain), target);
        var pixelLoss = LossFunctions.MeanSquaredError(LossFunctions.Gram(pixelMajor), target);
        Assert.True(LossFunctions.Gram(plain).allclose(LossFunctions.Gram(pixelMajor), rtol: 1e-5, atol: 1e-6));
        plainLoss.backward();
        pixelLoss.backward();
        Assert.True(plain.grad!.allclose(pixelMajor.grad!, rtol: 1e-5, atol: 1e-7), "gradients differ between layouts");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Gram_gradient_is_the_symmetrised_upstream_times_the_features(bool channelsLast)
    {
        using var scope = torch.NewDisposeScope();
        // d/dF sum(W .* F F^T / (C*HW)) = (W + W^T) F / (C*HW), for any W (here not symmetric, so a
        // gradient that used only one of W and W^T would differ).
        var values = Fixtures.RandomTensor([2, 3, 4, 5], 21);
        var features = (channelsLast ? ChannelsLast.Of(values) : values).requires_grad_(true);
        var upstream = Fixtures.RandomTensor([2, 3, 3], 22);
        (LossFunctions.Gram(features) * upstream).sum().backward();

        var flat = values.reshape(2, 3, 20);
        var expected = (upstream + upstream.transpose(1, 2)).bmm(flat).div(3 * 20).reshape(2, 3, 4, 5);
        Assert.True(features.grad!.allclose(expected, rtol: 1e-5, atol: 1e-7), "Gram gradient differs from (W + W^T) F / (C*HW)");
    }

    [Fact]
    public void Style_term_is_MSE_between_Grams()
    {
        using var scope = torch.NewDisposeScope();
        // G(A) - G(B) = [[3.25,-0.25],[-0.25,-0.25]]; squares 10.5625 + 3*0.0625 = 10.75; mean over 4 = 2.6875.
        var style = LossFunctions.MeanSquaredError(LossFunctions.Gram(A()), LossFunctions.Gram(B()));
        Assert.Equal(2.6875f, style.item<float>(), 6);

        // One [1,C,C] target broadcasts over a batch: image 1 (A) gives 2.6875, image 2 (B) gives 0 -> mean 1.34375.
        var batch = LossFunctions.MeanSquaredError(LossFunctions.Gram(torch.cat([A(), B()], 0)), LossFunctions.Gram(B()));
        Assert.Equal(1.34375f, batch.item<float>(), 6);
    }

    [Fact]
    public void Content_term_is_mean_squared_difference()
    {
        using var scope = torch.NewDisposeScope();
        // [1,2,3,4] vs [1,0,3,8]: differences 0,2,0,-4 -> squares 0,4,0,16 -> mean 5.
        var a = torch.tensor(new float[] { 1, 2, 3, 4 }, [1, 1, 2, 2]);
        var b = torch.tensor(new float[] { 1, 0, 3, 8 }, [1, 1, 2, 2]);
        Assert.Equal(5f, LossFunctions.MeanSquaredError(a, b).item<float>(), 6);
        Assert.Equal(0f, LossFunctions.MeanSquaredError(a, a).item<float>());
    }

    [Fact]
    public void Total_variation_is_mean_squared_vertical_plus_horizontal_differences()
    {
        using var scope = torch.NewDisposeScope();
        // 2x3 image: rows [1,2,4] and [0,2,7].
        // vertical: [0-1, 2-2, 7-4] = [-1,0,3] -> squares 1,0,9 -> mean 10/3.
        // horizontal: [1,2] and [2,5] -> squares 1,4,4,25 -> mean 34/4 = 8.5.
        // TV = 10/3 + 8.5 = 11.8333...
        var image = torch.tensor(new float[] { 1, 2, 4, 0, 2, 7 }, [1, 1, 2, 3]);
        Assert.Equal(10.0 / 3 + 8.5, LossFunctions.TotalVariation(image).item<float>(), 5);
        // A constant image has no variation.
        Assert.Equal(0f, LossFunctions.TotalVariation(torch.full([1, 3, 4, 5], 0.3f)).item<float>());
    }

    [Fact]
    public void PerceptualLoss_weights_and_sums_the_terms_as_LossConfig_documents()
    {
        using var scope = torch.NewDisposeScope();
        var config = new LossConfig
        {
            Network = "vgg19",
            ContentLayers = new Dictionary<string, double> { ["relu1_2"] = 1 },
            StyleLayers = new Dictionary<string, double> { ["relu1_1"] = 0.25, ["relu2_1"] = 0.75 },
            ContentWeight = 2,
            StyleWeight = 3,
            TvWeight = 0.5,
        };
        var net = VggLossNetwork.FromTensors(Fixtures.RandomVggTensors(3).ToDictionary(t => t.Name), VggArchitecture.Vgg19, config.Taps);
        var loss = new PerceptualLoss(net, config);
        var image = Fixtures.RandomTensor([1, 3, 12, 12], 1);
        var style = Fixtures.RandomTensor([1, 3, 12, 12], 2);
        var content = Fixtures.RandomTensor([1, 3, 12, 12], 3);

        using var targets = loss.Targets(style, content);
        var terms = loss.Compute(image, targets.StyleGrams, targets.ContentFeatures);

        var fi = net.call(image);
        var fs = net.call(style);
        var fc = net.call(content);
        double s11 = LossFunctions.MeanSquaredError(LossFunctions.Gram(fi["relu1_1"]), LossFunctions.Gram(fs["relu1_1"])).item<float>();
        double s21 = LossFunctions.MeanSquaredError(LossFunctions.Gram(fi["relu2_1"]), LossFunctions.Gram(fs["relu2_1"])).item<float>();
        double c12 = LossFunctions.MeanSquaredError(fi["relu1_2"], fc["relu1_2"]).item<float>();
        double tv = LossFunctions.TotalVariation(image).item<float>();
        Assert.True(s11 > 0 && s21 > 0 && c12 > 0 && tv > 0);

        var v = terms.ToValues();
        Assert.Equal(s11, v.StyleByLayer["relu1_1"], s11 * 1e-5);
        Assert.Equal(s21, v.StyleByLayer["relu2_1"], s21 * 1e-5);
        Assert.Equal(c12, v.ContentByLayer["relu1_2"], c12 * 1e-5);
        double expectStyle = 3 * (0.25 * s11 + 0.75 * s21), expectContent = 2 * c12, expectTv = 0.5 * tv;
        Assert.Equal(expectStyle, v.Style, expectStyle * 1e-5);
        Assert.Equal(expectContent, v.Content, expectContent * 1e-5);
        Assert.Equal(expectTv, v.TotalVariation, expectTv * 1e-5);
        Assert.Equal(expectStyle + expectContent + expectTv, v.Total, (expectStyle + expectContent + expectTv) * 1e-5);

        // The image against its own targets has zero loss (apart from TV, which has no target).
        using var self = loss.Targets(image, image);
        var zero = loss.Compute(image, self.StyleGrams, self.ContentFeatures).ToValues();
        Assert.Equal(0, zero.Style, 6);
        Assert.Equal(0, zero.Content, 6);
    }
}
