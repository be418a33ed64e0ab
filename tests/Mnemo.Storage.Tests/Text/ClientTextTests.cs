using Mnemo.Storage.Text;

namespace Mnemo.Storage.Tests.Text;

public sealed class ClientTextTests
{
    [Theory]
    [InlineData("Claude (verified: claude.ai)\u202E", "Claude (verified: claude.ai)")]
    [InlineData("Cla\u200Bude\u200D", "Claude")]
    [InlineData("Claude\u2028Desktop", "Claude Desktop")]
    [InlineData("  Claude \t\r\n Desktop  ", "Claude Desktop")]
    [InlineData("\u0000\u0007", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    [InlineData("Łódź 🚀 app", "Łódź 🚀 app")]
    public void Clean_DropsInvisibleCharacters_AndFoldsWhiteSpace(string? input, string? expected) =>
        Assert.Equal(expected, ClientText.Clean(input));

    [Fact]
    public void Clean_CapsTheLength_WithoutSplittingASurrogatePair()
    {
        var cleaned = ClientText.Clean(new string('a', 9) + "🚀🚀", maxLength: 10);

        Assert.Equal(new string('a', 9), cleaned);
    }

    [Fact]
    public void Clean_OfMegabytes_ReadsOnlyABoundedPrefix()
    {
        // Invisible characters for 3 MB, then visible text: only a bounded prefix is looked at, so nothing is found.
        var input = new string('\u200B', 3_000_000) + "visible";

        Assert.Null(ClientText.Clean(input));
        Assert.Equal(ClientText.MaxNameLength, ClientText.Clean(new string('x', 3_000_000))!.Length);
    }

    [Fact]
    public void Clean_DoesNotEndWithASpaceWhenTheCapFallsOnOne()
    {
        Assert.Equal("abc", ClientText.Clean("abc def", maxLength: 4));
    }
}
