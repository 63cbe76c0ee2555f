namespace FastStyle.Training.LossNetwork;

/// <summary>One conv layer of torchvision's vgg*.features: its index there and the name of its ReLU tap.</summary>
public sealed record VggConv(int FeatureIndex, string TapName, int InChannels, int OutChannels, bool PoolAfter);

/// <summary>
/// torchvision's VGG-16 / VGG-19 `features` (Simonyan &amp; Zisserman 2015): 3x3 convs with padding 1,
/// each followed by a ReLU, 2x2 pooling after the last conv of each block. The tap of a conv is the
/// output of its ReLU ("relu3_1"), the names used by Gatys et al. and Johnson et al.
/// </summary>
public sealed class VggArchitecture
{
    public string Name { get; }
    public IReadOnlyList<VggConv> Convs { get; }

    VggArchitecture(string name, int[] convsPerBlock)
    {
        Name = name;
        int[] widths = [64, 128, 256, 512, 512];
        var convs = new List<VggConv>();
        int index = 0, inChannels = 3;
        for (int block = 0; block < convsPerBlock.Length; block++)
        {
            for (int i = 0; i < convsPerBlock[block]; i++)
            {
                bool last = i == convsPerBlock[block] - 1;
                convs.Add(new VggConv(index, $"relu{block + 1}_{i + 1}", inChannels, widths[block], last));
                inChannels = widths[block];
                index += 2; // conv, relu
            }
            index++; // pool
        }
        Convs = convs;
    }

    public static VggArchitecture Vgg16 { get; } = new("vgg16", [2, 2, 3, 3, 3]);
    public static VggArchitecture Vgg19 { get; } = new("vgg19", [2, 2, 4, 4, 4]);

    public static VggArchitecture Parse(string name) => name.ToLowerInvariant() switch
    {
        "vgg16" => Vgg16,
        "vgg19" => Vgg19,
        _ => throw new ArgumentException($"unknown loss network '{name}' (expected vgg16 or vgg19)"),
    };

    public IEnumerable<string> TapNames => Convs.Select(c => c.TapName);

    public bool HasTap(string tap) => Convs.Any(c => c.TapName == tap);

    /// <summary>
    /// Smallest width and height for which every tap in <paramref name="taps"/> still has at least one
    /// pixel: each 2x2 pooling before the deepest tap halves (floors) the size, so 2^poolings.
    /// </summary>
    public int MinimumInputSide(IEnumerable<string> taps)
    {
        int deepest = taps.Max(TapPosition);
        return 1 << Convs.Take(deepest).Count(c => c.PoolAfter);
    }

    /// <summary>The one check of a loss-layer name: null if this network has it, else the problem naming the layers it has.</summary>
    public string? UnknownTap(string tap)
        => HasTap(tap) ? null : $"layer '{tap}' does not exist in {Name} (layers: {string.Join(", ", TapNames)})";

    public int TapPosition(string tap)
    {
        for (int i = 0; i < Convs.Count; i++) if (Convs[i].TapName == tap) return i;
        throw new ArgumentException(UnknownTap(tap), nameof(tap));
    }
}
