using FastStyle.Data;
using FastStyle.Training.LossNetwork;
using FastStyle.Training.Runs;
using FastStyle.Training.Tensors;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace FastStyle.Training.Tests;

/// <summary>The loss network's Winograd F(4x4,3x3) convolution against libtorch's direct one (issue 10).</summary>
public class WinogradConvTests
{
    static double RelativeError(Tensor expected, Tensor actual)
        => (expected - actual).abs().max().ToDouble() / expected.abs().max().ToDouble();

    [Theory]
    [InlineData(2, 16, 24, 13, 10)]  // batch 2, sizes that are not multiples of the 4x4 output tile
    [InlineData(1, 256, 256, 44, 44)] // 121 tiles: two chunks, the second one partial
    [InlineData(1, 8, 8, 1, 3)]      // a single, mostly padded tile
    public void Forward_and_input_gradient_match_the_direct_convolution(int batch, int cin, int cout, int height, int width)
    {
        using var scope = torch.NewDisposeScope();
        var weight = Fixtures.RandomTensor([cout, cin, 3, 3], 1) * Math.Sqrt(2.0 / (cin * 9));
        var bias = Fixtures.RandomTensor([cout], 2);
        var input = Fixtures.RandomTensor([batch, cin, height, width], 3) * 50; // VGG activations are on a 0..255 scale
        var upstream = Fixtures.RandomTensor([batch, cout, height, width], 4);
        using var winograd = new WinogradConv3x3(weight, bias);

        // The direct reference in float64: libtorch's float32 direct convolution is itself wrong for some
        // channel counts on some CPUs (BlockAlignedConv), e.g. cout 24 at batch 2 on the AVX-512 EPYC.
        var direct = input.clone().requires_grad_(true);
        var directOut = F.conv2d(direct.to(ScalarType.Float64), weight.to(ScalarType.Float64), bias.to(ScalarType.Float64), padding: [1, 1]);
        directOut.backward([upstream.to(ScalarType.Float64)]);
        var viaWinograd = ChannelsLast.Of(input).requires_grad_(true);
        var winogradOut = winograd.Apply(viaWinograd);
        winogradOut.backward([upstream]);

        Assert.Equal(directOut.shape, winogradOut.shape);
        Assert.True(RelativeError(directOut, winogradOut) < 1e-5, $"output differs by {RelativeError(directOut, winogradOut):E1} of its largest value");
        Assert.True(RelativeError(direct.grad!, viaWinograd.grad!) < 1e-5, $"input gradient differs by {RelativeError(direct.grad!, viaWinograd.grad!):E1}");
        // The plain (NCHW) layout gives the same result as channels_last.
        Assert.True(RelativeError(winogradOut.detach(), winograd.Forward(input)) < 1e-6);
    }

    [Fact]
    public void Refuses_channel_counts_outside_whole_vectors()
    {
        Assert.False(WinogradConv3x3.Supports(3, 64));
        Assert.False(WinogradConv3x3.Supports(64, 12));
        using var weight = torch.zeros(64, 3, 3, 3);
        var error = Assert.Throws<ArgumentException>(() => new WinogradConv3x3(weight, null));
        Assert.Contains("[64,3,3,3]", error.Message);
    }

    static CpuFeatures Cpu(string flags) => CpuFeatures.Parse(["model name\t: Test CPU", $"flags\t\t: fpu sse2 {flags}"]);

    [Theory]
    [InlineData("avx2 fma", 128, null, true)]
    [InlineData("avx2 fma", 512, null, true)]
    [InlineData("avx2 fma", 64, null, true)]
    [InlineData("sse4_2 avx", 256, null, false)]       // no AVX2: no 8-lane FMA vector code measured
    [InlineData("avx2 avx512f avx512bw", 256, null, false)] // not measured where oneDNN has AVX-512 kernels
    [InlineData("avx2 avx512f", 64, true, true)]
    [InlineData("avx2 fma", 256, false, false)]
    public void Policy_picks_winograd_by_cpu_unless_forced(string flags, int inChannels, bool? forced, bool expected)
    {
        var conv = new VggConv(0, "relu3_2", inChannels, 256, false);
        Assert.Equal(expected, WinogradPolicy.Applies(conv, ScalarType.Float32, Cpu(flags), forced));
        Assert.False(WinogradPolicy.Applies(conv, ScalarType.BFloat16, Cpu(flags), true)); // float32 code only
        Assert.False(WinogradPolicy.Applies(new VggConv(0, "relu1_1", 3, 64, false), ScalarType.Float32, Cpu(flags), true));
    }

    [Fact]
    public void Loss_network_features_and_image_gradient_are_the_same_with_winograd_layers()
    {
        using var scope = torch.NewDisposeScope();
        using var net = VggLossNetwork.Load(Fixtures.TinyVggPath, VggArchitecture.Vgg19, ["relu1_2", "relu2_2", "relu3_1"]);
        var image = Fixtures.RandomTensor([1, 3, 20, 18], 7).sigmoid();

        (Dictionary<string, Tensor> Taps, Tensor Gradient) Run()
        {
            var x = image.clone().requires_grad_(true);
            var taps = net.call(x);
            taps.Values.Select(t => t.pow(2).sum()).Aggregate((a, b) => a + b).backward();
            return (taps.ToDictionary(t => t.Key, t => t.Value.detach()), x.grad!);
        }

        net.ForceWinograd(false);
        Assert.Equal(0, net.WinogradLayers);
        Assert.Equal("direct (oneDNN)", net.ConvolutionSummary);
        var direct = Run();
        net.ForceWinograd(true);
        Assert.Equal(4, net.WinogradLayers); // every conv but conv1_1 (3 input channels)
        Assert.StartsWith("Winograd F(4x4,3x3) on 4 of 5 layers", net.ConvolutionSummary);
        var winograd = Run();

        foreach (var tap in direct.Taps.Keys)
            Assert.True(RelativeError(direct.Taps[tap], winograd.Taps[tap]) < 1e-5, $"{tap} differs by {RelativeError(direct.Taps[tap], winograd.Taps[tap]):E1}");
        Assert.True(RelativeError(direct.Gradient, winograd.Gradient) < 1e-4, $"image gradient differs by {RelativeError(direct.Gradient, winograd.Gradient):E1}");

        net.UseComputeType(ScalarType.BFloat16);
        Assert.Equal(0, net.WinogradLayers); // bfloat16 goes back to oneDNN's convolutions
    }
}
