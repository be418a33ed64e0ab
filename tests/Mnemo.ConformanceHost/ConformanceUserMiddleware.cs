using System.Security.Claims;
using Mnemo.Auth;
using Mnemo.Server.Mcp;

namespace Mnemo.ConformanceHost;

/// <summary>
/// In conformance mode the suite cannot send a token, so every request acts as one throw-away local user.
/// The conformance host stops unless every address it bound is loopback, so nobody else can reach it. Placed right
/// before authentication, which keeps this user when a request has no credential, so Mnemo's own authorization
/// (always required on /mcp) sees an authenticated caller.
/// </summary>
internal sealed class ConformanceUserMiddleware(RequestDelegate next)
{
    private static readonly ClaimsPrincipal User = new(new ClaimsIdentity(
        [new Claim(MnemoClaimTypes.Subject, "conformance-local-user"), new Claim(MnemoClaimTypes.App, "conformance"), new Claim(MnemoClaimTypes.Scope, $"{MemoryScopes.Read} {MemoryScopes.Write}")],
        authenticationType: "Conformance"));

    public Task InvokeAsync(HttpContext context)
    {
        context.User = User;
        return next(context);
    }
}
