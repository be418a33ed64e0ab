using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mnemo.Auth.ApiKeys;
using OpenIddict.Validation.AspNetCore;

namespace Mnemo.Auth.Credentials;

/// <summary>
/// The default authenticate scheme of the protected resource: a bearer credential is an API key (<c>mnemo_…</c>) or
/// an OAuth access token, chosen by its shape and verified by that scheme in full — unless the same credential was
/// verified moments ago and nothing has changed since (<see cref="VerifiedCredentialCache"/>). Full verification of
/// an access token costs an RSA decryption and two database reads, an API key one read: most of what a small MCP call
/// costs the server.
/// </summary>
internal sealed class CachedBearerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    VerifiedCredentialCache cache) : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var credential = BearerToken.Read(Request);
        if (credential is null)
        {
            return AuthenticateResult.NoResult();
        }

        if (cache.TryGet(credential, out var ticket))
        {
            return AuthenticateResult.Success(ticket);
        }

        // Read before verifying: a change that lands while the verification reads the database makes the result stale.
        var revision = cache.Revision;
        var result = await Context.AuthenticateAsync(SchemeFor(credential));
        if (result.Succeeded)
        {
            cache.Add(credential, result.Ticket, revision);
        }

        return result;
    }

    // Challenges and forbids go to the MCP scheme (the defaults); should anyone name this scheme, they go where the
    // credential's own scheme would send them.
    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        Context.ChallengeAsync(SchemeFor(BearerToken.Read(Request)), properties);

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Context.ForbidAsync(SchemeFor(BearerToken.Read(Request)), properties);

    private static string SchemeFor(string? credential) =>
        ApiKeySecret.LooksLikeKey(credential)
            ? ApiKeyDefaults.AuthenticationScheme
            : OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme;
}
