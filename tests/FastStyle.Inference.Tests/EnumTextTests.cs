namespace FastStyle.Inference.Tests;

public sealed class EnumTextTests
{
    public enum Sample { First, [Spelled("2nd")] Second }

    [Fact]
    public void A_value_is_spelled_by_its_attribute_else_by_its_lower_cased_name()
        => Assert.Equal(["first", "2nd"], EnumText<Sample>.All);

    [Theory]
    [InlineData(Sample.First, "first")]
    [InlineData(Sample.Second, "2nd")]
    public void Spelling_and_parsing_are_inverse(Sample value, string text)
    {
        Assert.Equal(text, EnumText<Sample>.Of(value));
        Assert.Equal(value, EnumText<Sample>.Parse(text));
    }

    [Theory]
    [InlineData("second")]
    [InlineData("First")]
    [InlineData("")]
    [InlineData(null)]
    public void Anything_but_an_exact_spelling_parses_to_null(string? text)
        => Assert.Null(EnumText<Sample>.Parse(text));

    [Fact]
    public void Upsample_modes_keep_the_spellings_existing_models_carry()
        => Assert.Equal(["nearest", "transpose"], EnumText<UpsampleMode>.All);
}
