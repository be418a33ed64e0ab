using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Mnemo.Auth.ApiKeys;

namespace Mnemo.Auth.Tests.ApiKeys;

public sealed class ApiKeyAuthenticationTests
{
    private sealed record Whoami(string? Sub, string? Name, string? App, string? Scope);

    private sealed record ErrorBody(string error, string error_description);

    private static async Task<(WebApplication App, HttpClient Client, AuthTestDatabase Db)> StartAsync()
    {
        var db = await AuthTestDatabase.CreateAsync();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddMnemoAuthorizationServer(db.Configure());
        var app = builder.Build();
        app.UseMnemoAuthorizationServer();
        app.MapGet("/whoami", (HttpContext c) => new Whoami(
            c.User.FindFirst(MnemoClaimTypes.Subject)?.Value,
            c.User.FindFirst(MnemoClaimTypes.Name)?.Value,
            c.User.FindFirst(MnemoClaimTypes.App)?.Value,
            c.User.FindFirst(MnemoClaimTypes.Scope)?.Value)).RequireAuthorization();
        await app.StartAsync();
        return (app, app.GetTestClient(), db);
    }

    private static async Task<string> CreateKeyAsync(AuthTestDatabase db, string label = "laptop")
    {
        await db.AccountsAsync(a => a.CreateAsync("alice", null, "correct horse battery"));
        return (await db.KeysAsync(k => k.CreateAsync("alice", label))).Secret;
    }

    [Fact]
    public async Task Request_IsAuthenticatedAsTheKeysUser_WhenBearerHeaderHoldsAValidKey()
    {
        var (app, client, db) = await StartAsync();
        await using var _ = app;
        await using var __ = db;
        var secret = await CreateKeyAsync(db);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);

        var whoami = await client.GetFromJsonAsync<Whoami>("/whoami");

        var alice = await db.AccountsAsync(a => a.FindAsync("alice"));
        Assert.Equal(alice!.Id, whoami!.Sub);
        Assert.Equal("alice", whoami.Name);
        Assert.Equal("laptop", whoami.App);
        Assert.Equal("memory:read memory:write", whoami.Scope);
    }

    [Fact]
    public async Task Request_Gets401WithoutErrorCode_WhenNoCredentialIsSent()
    {
        var (app, client, db) = await StartAsync();
        await using var _ = app;
        await using var __ = db;

        var response = await client.GetAsync("/whoami");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        // A challenge that points at the resource metadata, without error=: no credential was sent (RFC 6750 §3.1).
        Assert.StartsWith("Bearer resource_metadata=", response.Headers.WwwAuthenticate.ToString());
        Assert.DoesNotContain("error=", response.Headers.WwwAuthenticate.ToString());
        var body = await response.Content.ReadFromJsonAsync<ErrorBody>();
        Assert.Equal("unauthorized", body!.error);
    }

    [Fact]
    public async Task Request_Gets401InvalidToken_WhenKeyIsUnknown()
    {
        var (app, client, db) = await StartAsync();
        await using var _ = app;
        await using var __ = db;
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "mnemo_notarealkeynotarealkeynotarealkeynotarealk");

        var response = await client.GetAsync("/whoami");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString());
        Assert.Equal("invalid_token", (await response.Content.ReadFromJsonAsync<ErrorBody>())!.error);
    }

    [Fact]
    public async Task Request_Gets401InvalidToken_WhenKeyIsRevoked()
    {
        var (app, client, db) = await StartAsync();
        await using var _ = app;
        await using var __ = db;
        var secret = await CreateKeyAsync(db);
        var id = (await db.KeysAsync(k => k.ListAsync("alice")))[0].Id;
        await db.KeysAsync(k => k.RevokeAsync(id));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);

        var response = await client.GetAsync("/whoami");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Request_Gets401_WhenKeysUserIsDisabled()
    {
        var (app, client, db) = await StartAsync();
        await using var _ = app;
        await using var __ = db;
        var secret = await CreateKeyAsync(db);
        await db.AccountsAsync(a => a.DisableAsync("alice"));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/whoami")).StatusCode);
    }

    [Theory]
    [InlineData("/whoami?access_token={0}")]
    [InlineData("/whoami?api_key={0}")]
    [InlineData("/whoami?key={0}")]
    public async Task Request_IgnoresKeyInQueryString(string pathFormat)
    {
        var (app, client, db) = await StartAsync();
        await using var _ = app;
        await using var __ = db;
        var secret = await CreateKeyAsync(db);

        var response = await client.GetAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, pathFormat, Uri.EscapeDataString(secret)));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        // A challenge that points at the resource metadata, without error=: no credential was sent (RFC 6750 §3.1).
        Assert.StartsWith("Bearer resource_metadata=", response.Headers.WwwAuthenticate.ToString());
        Assert.DoesNotContain("error=", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Request_Gets401_WhenKeyIsSentWithAnotherScheme()
    {
        var (app, client, db) = await StartAsync();
        await using var _ = app;
        await using var __ = db;
        var secret = await CreateKeyAsync(db);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", secret);

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/whoami")).StatusCode);
    }
}
