namespace FastStyle.Inference.Tests;

public sealed class TransformerArchitectureTests
{
    [Fact]
    public void Default_layout_is_jcjohnsons_architecture_string_with_32_base_channels()
        => Assert.Equal("c9s1-32,d64,d128,R128x5,u64,u32,c9s1-3", new TransformerArchitecture().Notation());

    [Fact]
    public void Weight_layout_lists_every_conv_and_norm_in_network_order()
    {
        var expected = new (string, long[])[]
        {
            ("conv1.conv.weight", [2, 3, 9, 9]), ("conv1.conv.bias", [2]), ("in1.weight", [2]), ("in1.bias", [2]),
            ("conv2.conv.weight", [4, 2, 3, 3]), ("conv2.conv.bias", [4]), ("in2.weight", [4]), ("in2.bias", [4]),
            ("conv3.conv.weight", [8, 4, 3, 3]), ("conv3.conv.bias", [8]), ("in3.weight", [8]), ("in3.bias", [8]),
            ("res1.conv1.conv.weight", [8, 8, 3, 3]), ("res1.conv1.conv.bias", [8]), ("res1.in1.weight", [8]), ("res1.in1.bias", [8]),
            ("res1.conv2.conv.weight", [8, 8, 3, 3]), ("res1.conv2.conv.bias", [8]), ("res1.in2.weight", [8]), ("res1.in2.bias", [8]),
            ("up1.conv.weight", [8, 4, 3, 3]), ("up1.conv.bias", [4]), ("in4.weight", [4]), ("in4.bias", [4]),
            ("up2.conv.weight", [4, 2, 3, 3]), ("up2.conv.bias", [2]), ("in5.weight", [2]), ("in5.bias", [2]),
            ("conv_out.conv.weight", [3, 2, 9, 9]), ("conv_out.conv.bias", [3]),
        };
        var actual = TransformerWeightLayout.Expected(new TransformerArchitecture(2, 1, UpsampleMode.Transpose));
        Assert.Equal(expected.Select(e => $"{e.Item1} [{string.Join(",", e.Item2)}]"), actual.Select(e => $"{e.Name} [{string.Join(",", e.Shape)}]"));
    }
}
