using System.Security.Claims;
using Mnemo.Auth;

namespace Mnemo.ConformanceHost;

/// <summary>
/// In conformance mode the suite cannot send a token, so every request acts as one throw-away local user.
/// The conformance host stops unless every address it bound is loopback, so nobody else can reach it. Placed right
/// after authentication, so Mnemo's own authorization (always required on /mcp) sees an authenticated caller.
/// </summary>
internal sealed class ConformanceUserMiddleware(RequestDelegate next)
{
    private static readonly ClaimsPrincipal User = new(new ClaimsIdentity(
        [new Claim(MnemoClaimTypes.Subject, "conformance-local-user"), new Claim(MnemoClaimTypes.App, "conformance"), new Claim(MnemoClaimTypes.Scope, $"{MnemoScopes.Read} {MnemoScopes.Write}")],
        authenticationType: "Conformance"));

    public Task InvokeAsync(HttpContext context)
    {
        context.User = User;
        return next(context);
    }
}
