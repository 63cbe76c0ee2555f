using FastStyle.Data;
using FastStyle.Data.Weights;
using FastStyle.Training.LossNetwork;
using FastStyle.Training.Losses;
using FastStyle.Training.Tensors;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace FastStyle.Training.Tests;

public class VggLossNetworkTests
{
    [Fact]
    public void Loads_the_random_fixture_and_returns_the_requested_taps()
    {
        using var scope = torch.NewDisposeScope();
        using var net = VggLossNetwork.Load(Fixtures.TinyVggPath, VggArchitecture.Vgg19, ["relu1_1", "relu2_2", "relu3_1"]);
        var x = Fixtures.RandomTensor([2, 3, 16, 20], 5);
        var taps = net.call(x);

        Assert.Equal(new[] { "relu1_1", "relu2_2", "relu3_1" }, taps.Keys.Order().ToArray());
        Assert.Equal(new long[] { 2, 64, 16, 20 }, taps["relu1_1"].shape);
        Assert.Equal(new long[] { 2, 128, 8, 10 }, taps["relu2_2"].shape);   // one 2x2 pool
        Assert.Equal(new long[] { 2, 256, 4, 5 }, taps["relu3_1"].shape);    // two pools
        Assert.All(net.parameters(), p => Assert.False(p.requires_grad));

        // relu1_1 by hand: ImageNet normalisation, then conv features.0 (3x3, pad 1), then ReLU.
        var w = Fixtures.RandomVggTensors(1).ToDictionary(t => t.Name);
        var weight = torch.tensor(w["features.0.weight"].Values, w["features.0.weight"].Shape);
        var bias = torch.tensor(w["features.0.bias"].Values, w["features.0.bias"].Shape);
        var mean = torch.tensor(new float[] { 0.485f, 0.456f, 0.406f }, [1, 3, 1, 1]);
        var std = torch.tensor(new float[] { 0.229f, 0.224f, 0.225f }, [1, 3, 1, 1]);
        var expected = F.relu(F.conv2d((x - mean) / std, weight, bias, padding: [1, 1]));
        Assert.True(expected.allclose(taps["relu1_1"], rtol: 1e-5, atol: 1e-5), "relu1_1 differs from normalise+conv+relu with the fixture weights");
        Assert.True(taps["relu2_2"].max().item<float>() > 0, "relu2_2 is all zero: activations vanished");
    }

    [Fact]
    public void Runs_channels_last_in_both_precisions_and_matches_plain_layout_convolutions()
    {
        using var scope = torch.NewDisposeScope();
        using var net = VggLossNetwork.Load(Fixtures.TinyVggPath, VggArchitecture.Vgg19, ["relu2_1"]);
        var x = Fixtures.RandomTensor([2, 3, 12, 10], 6);
        var tap = net.call(x)["relu2_1"];
        Assert.True(ChannelsLast.Is(tap), "relu2_1 is not channels_last: oneDNN reorders every convolution");

        // The same layers with the fixture's weights in the plain layout.
        var w = Fixtures.RandomVggTensors(Fixtures.TinyVggConvs).ToDictionary(t => t.Name);
        Tensor Conv(Tensor input, int index) => F.relu(F.conv2d(input, torch.tensor(w[$"features.{index}.weight"].Values, w[$"features.{index}.weight"].Shape),
            torch.tensor(w[$"features.{index}.bias"].Values, w[$"features.{index}.bias"].Shape), padding: [1, 1]));
        var mean = torch.tensor(new float[] { 0.485f, 0.456f, 0.406f }, [1, 3, 1, 1]);
        var std = torch.tensor(new float[] { 0.229f, 0.224f, 0.225f }, [1, 3, 1, 1]);
        var expected = Conv(F.max_pool2d(Conv(Conv((x - mean) / std, 0), 2), 2, 2), 5);
        Assert.True(expected.allclose(tap, rtol: 1e-4, atol: 1e-5), "relu2_1 differs from the plain-layout computation");

        net.UseComputeType(ScalarType.BFloat16);
        Assert.All(net.parameters().Where(p => p.dim() == 4), p => Assert.True(ChannelsLast.Is(p), "a bfloat16 conv weight lost the channels_last layout"));
        var bf16Tap = net.call(x)["relu2_1"];
        Assert.True(ChannelsLast.Is(bf16Tap));
        // Taps stay in the compute type (Grams multiply in bfloat16); targets ask for float32.
        Assert.Equal(ScalarType.BFloat16, bf16Tap.dtype);
        var float32Tap = net.Features(x, ["relu2_1"], float32Taps: true)["relu2_1"];
        Assert.Equal(ScalarType.Float32, float32Tap.dtype);
        Assert.True(float32Tap.allclose(bf16Tap.to(ScalarType.Float32)), "float32 taps are the same activations, not another computation");
    }

    [Fact]
    public void Builds_only_up_to_the_deepest_tap()
    {
        // Only features.0/2 exist: relu1_2 is enough, relu2_1 needs features.5.
        using var dir = new TempDir();
        string path = Fixtures.WriteRandomVgg(dir.Path, 2);
        using var net = VggLossNetwork.Load(path, VggArchitecture.Vgg19, ["relu1_1", "relu1_2"]);
        Assert.Equal(new[] { "features.0.bias", "features.0.weight", "features.2.bias", "features.2.weight" },
            net.named_parameters().Select(p => p.name).Order().ToArray());

        var e = Assert.Throws<FastStyleError>(() => VggLossNetwork.Load(path, VggArchitecture.Vgg19, ["relu2_1"]));
        Assert.Contains("missing tensor 'features.5.weight'", e.Message);
        Assert.Contains(path, e.Message);
        Assert.Contains("vgg19", e.Message);
    }

    [Fact]
    public void Wrong_shape_names_the_tensor_and_both_shapes()
    {
        using var dir = new TempDir();
        var tensors = Fixtures.RandomVggTensors(2);
        int i = tensors.FindIndex(t => t.Name == "features.2.weight");
        tensors[i] = new TensorData("features.2.weight", [64, 32, 3, 3], new float[64 * 32 * 9]);
        string path = dir.File("bad-shape.safetensors");
        SafetensorsFile.Write(path, tensors);

        var e = Assert.Throws<FastStyleError>(() => VggLossNetwork.Load(path, VggArchitecture.Vgg19, ["relu1_2"]));
        Assert.Contains("'features.2.weight'", e.Message);
        Assert.Contains("[64,32,3,3]", e.Message);
        Assert.Contains("[64,64,3,3]", e.Message);
    }

    [Fact]
    public void Missing_file_names_the_path()
    {
        using var dir = new TempDir();
        string path = dir.File("nope.safetensors");
        var e = Assert.Throws<FastStyleError>(() => VggLossNetwork.Load(path, VggArchitecture.Vgg19, ["relu1_1"]));
        Assert.Contains(path, e.Message);
        Assert.Contains("not found", e.Message);
    }

    [Fact]
    public void Unknown_loss_layer_lists_the_layers()
    {
        var e = Assert.Throws<FastStyleError>(() => VggLossNetwork.Load(Fixtures.TinyVggPath, VggArchitecture.Vgg19, ["relu1_1", "relu6_1"]));
        Assert.Contains("'relu6_1'", e.Message);
        Assert.Contains("relu1_1, relu1_2, relu2_1", e.Message);
        Assert.Contains("relu5_4", e.Message);

        // VGG-16 has three convs in block 3: relu3_4 exists only in VGG-19.
        var e16 = Assert.Throws<FastStyleError>(() => VggLossNetwork.Load(Fixtures.TinyVggPath, VggArchitecture.Vgg16, ["relu3_4"]));
        Assert.Contains("vgg16", e16.Message);
        Assert.Contains("relu5_3", e16.Message);
        Assert.DoesNotContain("relu5_4", e16.Message);
    }

    [Fact]
    public void Architectures_match_torchvision_feature_indices()
    {
        // torchvision vgg19().features: relu1_1=1, relu2_1=6, relu3_1=11, relu4_1=20, relu4_2=22, relu5_1=29; conv = relu - 1.
        var v19 = VggArchitecture.Vgg19.Convs.ToDictionary(c => c.TapName);
        Assert.Equal(16, v19.Count);
        Assert.Equal(0, v19["relu1_1"].FeatureIndex);
        Assert.Equal(5, v19["relu2_1"].FeatureIndex);
        Assert.Equal(10, v19["relu3_1"].FeatureIndex);
        Assert.Equal(19, v19["relu4_1"].FeatureIndex);
        Assert.Equal(21, v19["relu4_2"].FeatureIndex);
        Assert.Equal(28, v19["relu5_1"].FeatureIndex);
        Assert.Equal(34, v19["relu5_4"].FeatureIndex);
        Assert.Equal(13, VggArchitecture.Vgg16.Convs.Count);
        Assert.Equal(28, VggArchitecture.Vgg16.Convs[^1].FeatureIndex);
    }

    [Fact]
    public void Vgg16_file_loaded_as_vgg19_hints_at_the_network_setting()
    {
        // A VGG-16 file has features.28 (its last conv) but no features.34.
        var tensors = new Dictionary<string, TensorData>
        {
            ["features.28.weight"] = new("features.28.weight", [1], [0f]),
        };
        var e = Assert.Throws<FastStyleError>(() => VggLossNetwork.FromTensors(tensors, VggArchitecture.Vgg19, ["relu1_1"]));
        Assert.Contains("missing tensor 'features.0.weight'", e.Message);
        Assert.Contains("network: vgg16", e.Message);
    }

    [Fact]
    public void Loss_config_rejects_a_layer_the_network_lacks()
    {
        var config = LossConfig.GatysDefaults with { StyleLayers = new Dictionary<string, double> { ["relu9_9"] = 1 } };
        var e = Assert.Throws<FastStyleError>(() => config.Validate("test.yaml"));
        Assert.Contains("'relu9_9'", e.Message);
        Assert.Contains("test.yaml", e.Message);
        Assert.Contains("relu4_2", e.Message);
    }
}

/// <summary>VggWeightsLocator's order (--vgg, then $FASTSTYLE_VGG, then the default), with $XDG_CACHE_HOME pointed at a temp folder.</summary>
public class VggWeightsLocatorTests
{
    [Fact]
    public void Explicit_path_then_environment_then_default()
    {
        using var dir = new TempDir();
        string explicitPath = Fixtures.WriteRandomVgg(dir.Path, 1, name: "explicit.safetensors");
        string envPath = Fixtures.WriteRandomVgg(dir.Path, 1, name: "env.safetensors");
        string cache = Path.Combine(dir.Path, "cache");
        string defaultPath = Path.Combine(cache, "faststyle", "vgg19.safetensors");

        using var env = new EnvironmentScope(VggWeightsLocator.EnvironmentVariable, "XDG_CACHE_HOME");
        Environment.SetEnvironmentVariable("XDG_CACHE_HOME", cache);
        Assert.Equal(defaultPath, VggWeightsLocator.DefaultPath);

        Environment.SetEnvironmentVariable(VggWeightsLocator.EnvironmentVariable, envPath);
        Assert.Equal(explicitPath, VggWeightsLocator.Resolve(explicitPath));
        Assert.Equal(envPath, VggWeightsLocator.Resolve(null));
        Assert.Equal(envPath, VggWeightsLocator.Resolve("  "));

        // An explicit path that does not exist is an error, not a silent fall-back to the environment.
        string missing = Path.Combine(dir.Path, "missing.safetensors");
        var e = Assert.Throws<FastStyleError>(() => VggWeightsLocator.Resolve(missing));
        Assert.Contains(missing, e.Message);
        Assert.Contains("--vgg", e.Message);

        Environment.SetEnvironmentVariable(VggWeightsLocator.EnvironmentVariable, null);
        var e2 = Assert.Throws<FastStyleError>(() => VggWeightsLocator.Resolve(null));
        Assert.Contains(defaultPath, e2.Message);
        Assert.Contains("the default location", e2.Message);
        Assert.Contains("FASTSTYLE_VGG", e2.Message);

        Directory.CreateDirectory(Path.GetDirectoryName(defaultPath)!);
        File.Copy(envPath, defaultPath);
        Assert.Equal(defaultPath, VggWeightsLocator.Resolve(null));

        // A missing file named by the environment says so.
        Environment.SetEnvironmentVariable(VggWeightsLocator.EnvironmentVariable, missing);
        var e3 = Assert.Throws<FastStyleError>(() => VggWeightsLocator.Resolve(null));
        Assert.Contains(missing, e3.Message);
        Assert.Contains("$FASTSTYLE_VGG", e3.Message);
    }
}

/// <summary>Restores environment variables on dispose.</summary>
internal sealed class EnvironmentScope : IDisposable
{
    readonly Dictionary<string, string?> saved;

    public EnvironmentScope(params string[] names) => saved = names.ToDictionary(n => n, Environment.GetEnvironmentVariable);

    public void Dispose()
    {
        foreach (var (name, value) in saved) Environment.SetEnvironmentVariable(name, value);
    }
}
