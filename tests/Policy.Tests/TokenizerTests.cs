namespace Reasoner.Policy.Tests;

public class TokenizerTests
{
    [Fact]
    public void Text_round_trips_and_a_newline_is_the_step_separator()
    {
        var tokenizer = new Tokenizer("ab c");
        Assert.Equal(8, tokenizer.VocabSize);
        int[] ids = tokenizer.Encode("ab\nc a");
        Assert.Equal([4, 5, Tokenizer.StepSeparator, 7, 6, 4], ids);
        Assert.Equal("ab\nc a", tokenizer.Decode([Tokenizer.Begin, .. ids, Tokenizer.End, Tokenizer.Padding]));
    }

    [Fact]
    public void An_unknown_character_is_refused_with_the_character_and_its_position()
    {
        var error = Assert.Throws<FormatException>(() => new Tokenizer("abc").Encode("abxc"));
        Assert.Contains("'x'", error.Message);
        Assert.Contains("position 2", error.Message);
    }

    [Fact]
    public void An_alphabet_with_a_repeat_or_a_newline_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new Tokenizer("aba"));
        Assert.Throws<ArgumentException>(() => new Tokenizer("a\nb"));
    }
}
