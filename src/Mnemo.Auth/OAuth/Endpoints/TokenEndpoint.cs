using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Mnemo.Auth.Accounts;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Mnemo.Auth.OAuth.Endpoints;

/// <summary>
/// The token endpoint after OpenIddict has validated the request (client, code or refresh token,
/// PKCE verifier, redirect URI, reuse rules): re-checks that the account still exists and is enabled,
/// refreshes the name claim, and issues the new pair. Codes and refresh tokens carry the consented
/// scopes and resource; nothing here can widen them.
/// </summary>
internal static class TokenEndpoint
{
    public static async Task<IResult> HandleAsync(HttpContext context, IAccountService accounts)
    {
        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenIddict server request cannot be retrieved.");
        if (!request.IsAuthorizationCodeGrantType() && !request.IsRefreshTokenGrantType())
        {
            return Refuse(Errors.UnsupportedGrantType, "Only authorization_code and refresh_token are supported.");
        }

        var result = await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        var principal = result.Principal;
        var subject = principal?.GetClaim(Claims.Subject);
        if (principal is null || subject is null)
        {
            return Refuse(Errors.InvalidGrant, "The grant is no longer valid.");
        }

        var user = await accounts.FindAsync(subject, context.RequestAborted);
        if (user is null || user.Disabled || user.Id != subject)
        {
            return Refuse(Errors.InvalidGrant, "The account behind this grant was deleted or disabled.");
        }

        var identity = new ClaimsIdentity(principal.Claims, authenticationType: "Mnemo.OAuth", nameType: Claims.Name, roleType: Claims.Role);
        identity.SetClaim(Claims.Name, user.UserName);
        identity.SetDestinations(AuthorizationClaims.For);
        return Results.SignIn(new ClaimsPrincipal(identity), properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static IResult Refuse(string error, string description) =>
        Results.Forbid(
            new AuthenticationProperties(new Dictionary<string, string?>
            {
                [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
                [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
            }),
            [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
}

/// <summary>Which claims go into access tokens. Nothing goes into identity tokens: Mnemo does not issue them.</summary>
internal static class AuthorizationClaims
{
    public static IEnumerable<string> For(Claim claim) => claim.Type switch
    {
        Claims.Subject or Claims.Name or MnemoClaimTypes.App => [Destinations.AccessToken],
        _ => [],
    };
}
