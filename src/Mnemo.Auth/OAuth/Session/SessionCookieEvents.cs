using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Logging;
using Mnemo.Auth.Accounts;

namespace Mnemo.Auth.OAuth.Session;

/// <summary>
/// Checks every session cookie against the account on every request that reads it: the account must still
/// exist, be enabled, and have the security stamp the cookie was issued with. A cookie is otherwise valid
/// for its whole lifetime (14 days, sliding) wherever it was copied to, so without this check a password
/// change, "sign out everywhere" or disabling the account would not end it. One primary-key read per page
/// request; nothing is cached, so the end is immediate on every instance.
/// </summary>
internal sealed class SessionCookieEvents(IAccountService accounts, ILogger<SessionCookieEvents> logger) : CookieAuthenticationEvents
{
    public override async Task ValidatePrincipal(CookieValidatePrincipalContext context)
    {
        var subject = context.Principal?.FindFirst(MnemoClaimTypes.Subject)?.Value;
        var stamp = context.Principal?.FindFirst(MnemoClaimTypes.SecurityStamp)?.Value;
        var reason = subject is null || stamp is null ? "cookie without account or stamp" : null;
        if (reason is null)
        {
            var current = await accounts.FindSessionAsync(subject!, context.HttpContext.RequestAborted);
            reason = current is null ? "account deleted or disabled"
                // Constant-time: the stamp is a secret value, even if only the server ever compares it.
                : !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(current.SecurityStamp), Encoding.ASCII.GetBytes(stamp!)) ? "security stamp changed"
                : null;
        }

        if (reason is not null)
        {
            AuthLog.SessionRefused(logger, reason);
            context.RejectPrincipal();
            await SessionCookie.SignOutAsync(context.HttpContext); // the browser drops the dead cookie
        }
    }
}
