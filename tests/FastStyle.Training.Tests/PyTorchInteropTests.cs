using FastStyle.Data;
using FastStyle.Data.Imaging;
using FastStyle.Data.Weights;
using FastStyle.Inference;
using FastStyle.Training.Export;
using FastStyle.Training.LossNetwork;
using FastStyle.Training.Runs;
using FastStyle.Training.Weights;
using TorchSharp;

namespace FastStyle.Training.Tests;

/// <summary>
/// The .pth fixtures under Fixtures/pth, written once by PyTorch itself
/// (scripts/fixtures/make-pth-fixtures.py, which documents each file); no Python is needed here.
/// </summary>
internal static class PthFixtures
{
    /// <summary>
    /// $FASTSTYLE_WRITE_PTH_FIXTURES: a folder where the tests also write the files the fixture script's
    /// verify-export step checks (our export of the imported fixture, and our ONNX output for its input).
    /// </summary>
    public static string? WriteTo => Environment.GetEnvironmentVariable("FASTSTYLE_WRITE_PTH_FIXTURES") is { Length: > 0 } folder ? folder : null;

    public static string Path(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", "pth", name);

    /// <summary>pytorch/examples TransformerNet at width 4, with legacy running_mean/running_var keys.</summary>
    public static string Transformer => Path("transformer_w4.pth");
    public static string TransformerIo => Path("transformer_w4_io.pth");
    public static string TransformerExported => Path("transformer_w4_exported.pth");
    public static string Vgg => Path("vgg19_features_tiny.pth");
    public static string VggIo => Path("vgg19_features_io.pth");

    public static RgbImage Image(TensorData nchw)
    {
        Assert.Equal(1, nchw.Shape[0]);
        return new RgbImage((int)nchw.Shape[3], (int)nchw.Shape[2], nchw.Values);
    }

    /// <summary>The imported fixture as a FastStyle checkpoint (weights only, step 0).</summary>
    public static string WriteImportedCheckpoint(string directory)
    {
        var (architecture, weights) = FastNeuralStyleLayout.ToOurs(PyTorchStateDict.Read(Transformer), Transformer);
        string path = System.IO.Path.Combine(directory, "imported.safetensors");
        SaveCheckpoint(path, architecture, weights);
        return path;
    }

    /// <summary>A checkpoint holding only network weights (no optimizer state, step 0): all that export reads.</summary>
    public static void SaveCheckpoint(string path, TransformerArchitecture architecture, IReadOnlyDictionary<string, TensorData> weights)
        => new Checkpoint
        {
            Step = 0, Epoch = 0, IndexInEpoch = 0, Seed = 0, ConfigText = "", ConfigHash = "", StyleName = "fixture", StyleImageSha256 = "",
            Architecture = architecture, NetworkWeights = weights, OptimizerState = new Dictionary<string, TensorData>(),
        }.Save(path);

    public static double MaxAbsDifference(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        double worst = 0;
        for (int i = 0; i < a.Length; i++) worst = Math.Max(worst, Math.Abs(a[i] - b[i]));
        return worst;
    }
}

/// <summary>Reading torch.save state dicts: torchvision VGG files, and refusing everything that is not a plain state dict.</summary>
public class PyTorchStateDictTests
{
    [Fact]
    public void Torchvision_format_vgg_pth_gives_pytorchs_activations()
    {
        var io = PyTorchStateDict.Read(PthFixtures.VggIo);
        using var net = VggLossNetwork.Load(PthFixtures.Vgg, VggArchitecture.Vgg19, ["relu1_1", "relu2_2"]);
        using var scope = torch.NewDisposeScope();
        var input = torch.tensor(io["input"].Values, io["input"].Shape);
        var features = net.Features(input, ["relu1_1", "relu2_2"]);
        foreach (var tap in new[] { "relu1_1", "relu2_2" })
        {
            float[] ours = features[tap].contiguous().data<float>().ToArray();
            Assert.Equal(io[tap].Shape, features[tap].shape);
            Assert.True(PthFixtures.MaxAbsDifference(ours, io[tap].Values) < 1e-4, $"{tap} differs from PyTorch");
        }
    }

    [Fact]
    public void Classifier_tensors_of_a_full_torchvision_file_are_read_but_not_needed()
    {
        var tensors = PyTorchStateDict.Read(PthFixtures.Vgg);
        Assert.Contains("classifier.0.weight", tensors.Keys);
        using var net = VggLossNetwork.Load(PthFixtures.Vgg, VggArchitecture.Vgg19, ["relu1_2"]);
    }

    [Fact]
    public void Pickle_calling_a_python_function_is_refused_and_nothing_runs()
    {
        const string marker = "/tmp/faststyle-pth-fixture-was-executed"; // what the fixture's pickle would create
        File.Delete(marker);
        string path = PthFixtures.Path("malicious_global.pth");
        var e = Assert.Throws<FastStyleError>(() => VggLossNetwork.Load(path, VggArchitecture.Vgg19, ["relu1_1"]));
        Assert.Contains(path, e.Message);
        Assert.Contains("posix.system", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public void Truncated_pth_is_refused_in_one_line_naming_the_file()
    {
        using var dir = new TempDir();
        string path = dir.File("truncated.pth");
        byte[] bytes = File.ReadAllBytes(PthFixtures.Vgg);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<FastStyleError>(() => VggLossNetwork.Load(path, VggArchitecture.Vgg19, ["relu1_1"]));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Vgg_tensor_of_the_wrong_shape_is_refused_by_name()
    {
        string path = PthFixtures.Path("vgg19_wrong_shape.pth");
        var e = Assert.Throws<FastStyleError>(() => VggLossNetwork.Load(path, VggArchitecture.Vgg19, ["relu1_1"]));
        Assert.Contains("'features.0.weight' has shape [64,3,5,5]", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Legacy_non_zip_torch_save_file_is_refused_with_how_to_resave_it()
    {
        string path = PthFixtures.Path("legacy_format.pth"); // torch.save(..., _use_new_zipfile_serialization=False)
        var e = Assert.Throws<FastStyleError>(() => WeightFile.ReadTensors(path));
        Assert.Contains("legacy", e.Message);
        Assert.Contains($"torch.save(torch.load('{path}'), 'converted.pth')", e.Message);
    }

    [Fact]
    public void Written_state_dict_reads_back_identically()
    {
        using var dir = new TempDir();
        var tensors = new[] { new TensorData("a.weight", [2, 3], [1, -2, 3.5f, 1e-7f, 0, 255]), new TensorData("b", [1], [42]) };
        PyTorchStateDict.Write(dir.File("x.pth"), tensors);
        var back = WeightFile.ReadTensors(dir.File("x.pth"));
        Assert.Equal(["a.weight", "b"], back.Keys.Order());
        Assert.Equal(tensors[0].Values, back["a.weight"].Values);
        Assert.Equal(tensors[0].Shape, back["a.weight"].Shape);
    }
}

/// <summary>The default VGG search also finds torchvision's files where torch.hub caches them.</summary>
public class TorchHubVggLocatorTests
{
    /// <summary>No --vgg, no $FASTSTYLE_VGG or $TORCH_HOME, and the cache folder is <paramref name="cache"/>.</summary>
    static EnvironmentScope OnlyDefaultSearchIn(string cache)
    {
        var scope = new EnvironmentScope(VggWeightsLocator.EnvironmentVariable, "XDG_CACHE_HOME", "TORCH_HOME");
        Environment.SetEnvironmentVariable(VggWeightsLocator.EnvironmentVariable, null);
        Environment.SetEnvironmentVariable("TORCH_HOME", null);
        Environment.SetEnvironmentVariable("XDG_CACHE_HOME", cache);
        return scope;
    }

    [Fact]
    public void Default_search_prefers_our_file_then_torch_hub_vgg19_then_vgg16()
    {
        using var dir = new TempDir();
        using var env = OnlyDefaultSearchIn(dir.Path);
        string hub = Path.Combine(dir.Path, "torch", "hub", "checkpoints");
        Assert.Equal(hub, VggWeightsLocator.TorchHubCheckpoints);
        Directory.CreateDirectory(hub);

        string vgg16 = Path.Combine(hub, "vgg16-397923af.pth"), vgg19 = Path.Combine(hub, "vgg19-dcbb9e9d.pth");
        File.Copy(PthFixtures.Vgg, vgg16);
        Assert.Equal(vgg16, VggWeightsLocator.Resolve(null));
        File.Copy(PthFixtures.Vgg, vgg19);
        Assert.Equal(vgg19, VggWeightsLocator.Resolve(null));
        Directory.CreateDirectory(Path.GetDirectoryName(VggWeightsLocator.DefaultPath)!);
        File.Copy(PthFixtures.Vgg, VggWeightsLocator.DefaultPath);
        Assert.Equal(VggWeightsLocator.DefaultPath, VggWeightsLocator.Resolve(null));

        // $TORCH_HOME moves the hub folder, as it does for torch.hub.
        Environment.SetEnvironmentVariable("TORCH_HOME", Path.Combine(dir.Path, "elsewhere"));
        Assert.Equal(Path.Combine(dir.Path, "elsewhere", "hub", "checkpoints"), VggWeightsLocator.TorchHubCheckpoints);
    }

    [Fact]
    public void Missing_default_names_every_place_searched()
    {
        using var dir = new TempDir();
        using var env = OnlyDefaultSearchIn(dir.Path);
        var e = Assert.Throws<FastStyleError>(() => VggWeightsLocator.Resolve(null));
        foreach (var candidate in VggWeightsLocator.DefaultCandidates) Assert.Contains(candidate, e.Message);
    }
}

/// <summary>`faststyle import` and `export --format pth`: pytorch/examples fast_neural_style networks both ways.</summary>
public class PyTorchModelExchangeTests
{
    [Fact]
    public void Imported_network_reproduces_pytorchs_output()
    {
        using var dir = new TempDir();
        var result = PyTorchModelExchange.Import(PthFixtures.Transformer, dir.File("w4.onnx"), "w4");
        Assert.Equal(new TransformerArchitecture(4, 5, UpsampleMode.Nearest), result.Metadata.Architecture);
        Assert.Equal("w4", result.Metadata.StyleName);
        Assert.True(result.MaxAbsDifference <= CheckpointExporter.ParityTolerance);

        var io = PyTorchStateDict.Read(PthFixtures.TransformerIo);
        using var stylizer = Stylizer.Load(dir.File("w4.onnx"));
        var output = stylizer.Stylize(PthFixtures.Image(io["input"]), StyleSettings.Default);
        double diff = PthFixtures.MaxAbsDifference(output.Pixels, io["output"].Values);
        if (PthFixtures.WriteTo is { } folder) // for the fixture script's verify-export
            PyTorchStateDict.Write(Path.Combine(folder, "transformer_w4_onnx_output.pth"), [new TensorData("output", io["output"].Shape, output.Pixels)]);
        Assert.True(diff <= 1e-4, $"ONNX output differs from PyTorch's by {diff:G3}");
    }

    [Fact]
    public void Legacy_running_statistics_are_dropped_but_other_extra_keys_are_refused()
    {
        var theirs = PyTorchStateDict.Read(PthFixtures.Transformer);
        Assert.Contains("in1.running_mean", theirs.Keys);
        var (_, weights) = FastNeuralStyleLayout.ToOurs(theirs, "fixture");
        Assert.DoesNotContain(weights.Keys, k => k.Contains("running"));

        var extra = new Dictionary<string, TensorData>(theirs) { ["in1.num_batches_tracked"] = new("in1.num_batches_tracked", [], [0]) };
        var e = Assert.Throws<FastStyleError>(() => FastNeuralStyleLayout.ToOurs(extra, "fixture"));
        Assert.Contains("unexpected 'in1.num_batches_tracked'", e.Message);
    }

    [Fact]
    public void Missing_or_misshapen_tensor_is_refused_by_its_pytorch_name()
    {
        var theirs = PyTorchStateDict.Read(PthFixtures.Transformer);
        var missing = new Dictionary<string, TensorData>(theirs);
        missing.Remove("deconv2.conv2d.bias");
        Assert.Contains("missing 'deconv2.conv2d.bias'", Assert.Throws<FastStyleError>(() => FastNeuralStyleLayout.ToOurs(missing, "f")).Message);

        // A transposed-conv fork stores deconv1 as [in,out,k,k]: a different network, refused rather than misread.
        var transposed = new Dictionary<string, TensorData>(theirs) { ["deconv1.conv2d.weight"] = new("deconv1.conv2d.weight", [16, 8, 3, 3], new float[16 * 8 * 9]) };
        Assert.Contains("'deconv1.conv2d.weight' has shape [16,8,3,3], expected [8,16,3,3]",
            Assert.Throws<FastStyleError>(() => FastNeuralStyleLayout.ToOurs(transposed, "f")).Message);
    }

    [Fact]
    public void Exported_pth_imports_back_to_the_same_weights()
    {
        using var dir = new TempDir();
        string checkpoint = PthFixtures.WriteImportedCheckpoint(dir.Path);
        var result = PyTorchModelExchange.ExportPth(checkpoint, dir.File("out.pth"));
        Assert.True(result.MaxRelativeDifference <= PyTorchModelExchange.RoundTripTolerance);

        var exported = PyTorchStateDict.Read(dir.File("out.pth"));
        // Exactly the keys pytorch/examples' TransformerNet has (what strict=True loading requires).
        var original = PyTorchStateDict.Read(PthFixtures.Transformer).Keys.Where(k => !k.Contains("running_"));
        Assert.Equal(original.Order(), exported.Keys.Order());
        var (_, back) = FastNeuralStyleLayout.ToOurs(exported, "out.pth");
        Assert.True(PyTorchModelExchange.MaxRelativeDifference(Checkpoint.Load(checkpoint).NetworkWeights, back) <= 1e-6);
    }

    [Fact]
    public void Transpose_upsampling_networks_are_refused_for_pth_export()
    {
        using var dir = new TempDir();
        var architecture = new TransformerArchitecture(2, 1, UpsampleMode.Transpose);
        string checkpoint = dir.File("t.safetensors");
        using (var net = new Networks.TransformerNet(architecture)) PthFixtures.SaveCheckpoint(checkpoint, architecture, net.ExportWeights());
        var e = Assert.Throws<FastStyleError>(() => PyTorchModelExchange.ExportPth(checkpoint, dir.File("t.pth")));
        Assert.Contains("upsample transpose", e.Message);
        Assert.False(File.Exists(dir.File("t.pth")));
    }

    /// <summary>
    /// transformer_w4_exported.pth is what scripts/fixtures/make-pth-fixtures.py verify-export loaded into
    /// PyTorch with strict=True (Fixtures/pth/export_check.txt); this keeps it equal to what export writes now.
    /// </summary>
    [Fact]
    public void Committed_exported_fixture_is_what_export_writes_today()
    {
        using var dir = new TempDir();
        var result = PyTorchModelExchange.ExportPth(PthFixtures.WriteImportedCheckpoint(dir.Path), dir.File("now.pth"));
        if (PthFixtures.WriteTo is { } folder)
            File.Copy(result.OutputPath, Path.Combine(folder, "transformer_w4_exported.pth"), overwrite: true);
        var now = PyTorchStateDict.Read(dir.File("now.pth"));
        var committed = PyTorchStateDict.Read(PthFixtures.TransformerExported);
        Assert.Equal(committed.Keys.Order(), now.Keys.Order());
        foreach (var (name, t) in committed) Assert.Equal(t.Values, now[name].Values);
    }
}
