using Mnemo.Auth.OAuth.Clients;

namespace Mnemo.Auth.Tests.OAuth;

public sealed class RedirectUriPolicyTests
{
    [Theory]
    [InlineData("https://claude.ai/api/mcp/auth_callback")]
    [InlineData("https://chatgpt.com/connector_platform_oauth_redirect")]
    [InlineData("http://localhost:3334/oauth/callback")]
    [InlineData("http://127.0.0.1/callback")]
    [InlineData("http://[::1]:8080/callback")]
    [InlineData("cursor://anysphere.cursor-retrieval/oauth/callback")]
    [InlineData("vscode://vscode.github-authentication/did-authenticate")]
    [InlineData("com.example.app:/oauth2redirect")]
    [InlineData("com.example-app.mobile://callback")]
    public void Check_AcceptsHttpsLoopbackAndPrivateUseSchemes(string uri) => Assert.Null(RedirectUriPolicy.Check(uri));

    [Theory]
    [InlineData("x-safari-https://attacker.example/cb")]
    [InlineData("myapp://callback")]
    [InlineData("com..app:/cb")]
    [InlineData("com.-bad.app:/cb")]
    [InlineData("javascript:alert(1)")]
    [InlineData("JavaScript:alert(1)")]
    [InlineData("data:text/html,x")]
    [InlineData("file:///etc/passwd")]
    [InlineData("http://example.com/cb")]
    [InlineData("http://localhost.evil.com/cb")]
    [InlineData("https://example.com/cb#x")]
    [InlineData("https://*.example.com/cb")]
    [InlineData("https://a:b@example.com/cb")]
    [InlineData("/relative")]
    [InlineData("")]
    public void Check_RefusesUnsafeTargets(string uri) => Assert.NotNull(RedirectUriPolicy.Check(uri));

    [Theory]
    [InlineData("http://127.0.0.1:1234/cb", "http://127.0.0.1:5678/cb", true)]
    [InlineData("http://localhost:1234/cb", "http://localhost/cb", true)]
    [InlineData("http://127.0.0.1:1234/cb", "http://127.0.0.1:5678/other", false)]
    [InlineData("http://127.0.0.1:1234/cb", "http://localhost:1234/cb", false)]
    [InlineData("https://claude.ai/cb", "https://claude.ai:8443/cb", false)]
    [InlineData("http://localhost:1234/cb", "http://localhost.evil.com:1234/cb", false)]
    public void MatchesIgnoringLoopbackPort_OnlyRelaxesThePortOfLoopbackHttp(string registered, string presented, bool expected) =>
        Assert.Equal(expected, RedirectUriPolicy.MatchesIgnoringLoopbackPort(registered, presented));
}
