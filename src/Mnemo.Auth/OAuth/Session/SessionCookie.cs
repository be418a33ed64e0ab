using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Mnemo.Auth.Accounts;

namespace Mnemo.Auth.OAuth.Session;

/// <summary>
/// Starts and ends the browser session on Mnemo's pages (scheme <see cref="OAuthServiceCollectionExtensions.SessionScheme"/>,
/// cookie <c>mnemo_session</c>). The one place a session principal is built, so every session carries the
/// security stamp that <see cref="SessionCookieEvents"/> checks.
/// </summary>
internal static class SessionCookie
{
    public static Task SignInAsync(HttpContext context, AccountSession session)
    {
        var identity = new ClaimsIdentity(
            [
                new Claim(MnemoClaimTypes.Subject, session.Account.Id),
                new Claim(MnemoClaimTypes.Name, session.Account.UserName),
                new Claim(MnemoClaimTypes.SecurityStamp, session.SecurityStamp),
            ],
            OAuthServiceCollectionExtensions.SessionScheme, MnemoClaimTypes.Name, "role");
        return context.SignInAsync(OAuthServiceCollectionExtensions.SessionScheme, new ClaimsPrincipal(identity),
            new AuthenticationProperties { IsPersistent = true });
    }

    public static Task SignOutAsync(HttpContext context) =>
        context.SignOutAsync(OAuthServiceCollectionExtensions.SessionScheme);
}
