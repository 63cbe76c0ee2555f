using FastStyle.Inference;
using FastStyle.Training.LossNetwork;
using FastStyle.Training.Runs;

namespace FastStyle.Training.Tests;

/// <summary>Spellings that configs and checkpoints already on disk use: changing one would break them.</summary>
public class SpellingTests
{
    [Fact]
    public void Precision_is_spelled_fp32_and_bf16()
        => Assert.Equal(["fp32", "bf16"], EnumText<Precision>.All);

    [Fact]
    public void Pooling_is_spelled_max_and_avg()
        => Assert.Equal(["max", "avg"], EnumText<VggPooling>.All);

    [Fact]
    public void An_unknown_loss_layer_is_named_with_the_layers_the_network_has()
    {
        Assert.Null(VggArchitecture.Vgg16.UnknownTap("relu3_3"));
        string problem = VggArchitecture.Vgg16.UnknownTap("relu3_4")!;
        Assert.StartsWith("layer 'relu3_4' does not exist in vgg16 (layers: relu1_1, relu1_2, relu2_1", problem);
        Assert.EndsWith("relu5_3)", problem);
    }
}
