using Mnemo.Auth.OAuth.Clients;

namespace Mnemo.Auth.Tests.OAuth;

public sealed class HostDisplayTests
{
    [Theory]
    [InlineData("https://claude.ai/api/mcp/auth_callback", "https://claude.ai")]
    [InlineData("http://127.0.0.1:33418/callback", "http://127.0.0.1:33418")]
    [InlineData("http://[::1]:8080/cb", "http://[::1]:8080")]
    [InlineData("https://bücher.example/cb", "https://bücher.example (xn--bcher-kva.example)")]
    [InlineData("https://xn--bcher-kva.example/cb", "https://bücher.example (xn--bcher-kva.example)")]
    [InlineData("com.example.app:/oauth/cb?x=1", "com.example.app:/oauth/cb")]
    [InlineData("x-safari-https://attacker.example/path?q", "x-safari-https://attacker.example/path")]
    [InlineData("cursor://anysphere.cursor-retrieval/oauth/callback", "cursor://anysphere.cursor-retrieval/oauth/callback")]
    public void Redirect_ShowsWhereThePersonIsSent(string redirect, string shown) =>
        Assert.Equal(shown, HostDisplay.Redirect(new Uri(redirect)));

    [Theory]
    [InlineData("https://bücher.example:8443/cb", "https://xn--bcher-kva.example:8443")]
    [InlineData("http://[::1]:8080/cb", "http://[::1]:8080")]
    public void AsciiOrigin_FitsInAHeader(string redirect, string origin) =>
        Assert.Equal(origin, HostDisplay.AsciiOrigin(new Uri(redirect)));

    [Theory]
    [InlineData("MetadataDocument", "https://claude.ai/oauth/meta", "https://claude.ai/cb", true)]
    [InlineData("MetadataDocument", "https://claude.ai/oauth/meta", "https://evil.example/cb", false)]
    [InlineData("MetadataDocument", "https://claude.ai/oauth/meta", "http://127.0.0.1:5000/cb", false)]
    [InlineData("Dynamic", "mnemo-abc", "https://claude.ai/cb", false)]
    [InlineData("Cli", "mnemo-abc", "https://anything.example/cb", true)]
    [InlineData(null, "mnemo-abc", "https://claude.ai/cb", false)]
    public void ClientTrust_VouchesOnlyForOwnerClientsAndDocumentsOnTheRedirectsHost(string? origin, string clientId, string redirect, bool verified) =>
        Assert.Equal(verified, ClientTrust.Of(origin, clientId, new Uri(redirect)).IsVerified);
}
