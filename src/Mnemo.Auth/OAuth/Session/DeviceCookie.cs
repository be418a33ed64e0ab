using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Mnemo.Auth.Accounts;

namespace Mnemo.Auth.OAuth.Session;

/// <summary>
/// "This browser has signed in to this account before": a data-protected cookie naming the account, set on
/// every successful sign-in. It exempts the browser from the per-account delay of <see cref="LoginThrottle"/>,
/// so someone guessing the owner's password from elsewhere cannot slow the owner down. It grants nothing
/// else — no session, no exemption from the per-network locks — and only a correct password earns one.
/// </summary>
internal sealed class DeviceCookie(IDataProtectionProvider dataProtection, IOptions<MnemoAuthOptions> options, TimeProvider time)
{
    public const string CookieName = "mnemo_device";

    /// <summary>400 days: the longest cookie lifetime browsers keep (RFC 6265bis); checked on the server too.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(400);

    // Own purpose string: a session or anti-forgery payload can never be replayed as a device cookie.
    private readonly ITimeLimitedDataProtector _protector =
        dataProtection.CreateProtector("Mnemo.Auth.DeviceCookie.v1").ToTimeLimitedDataProtector();

    /// <summary>True when the request carries a valid device cookie for <paramref name="userName"/> (any case).</summary>
    public bool IsFor(HttpRequest request, string userName)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.Cookies.TryGetValue(CookieName, out var value) || string.IsNullOrEmpty(value) || value.Length > 1024)
        {
            return false;
        }

        try
        {
            var named = _protector.Unprotect(value, out var expires);
            return expires > time.GetUtcNow() && string.Equals(named, AccountRules.Normalize(userName), StringComparison.Ordinal);
        }
        catch (CryptographicException)
        {
            return false; // forged, tampered with, expired, or from a lost key ring: no exemption
        }
    }

    /// <summary>Sets the cookie for the account just signed in to (it replaces any earlier one).</summary>
    public void Issue(HttpContext context, string userName)
    {
        ArgumentNullException.ThrowIfNull(context);
        var expires = time.GetUtcNow() + Lifetime;
        context.Response.Cookies.Append(CookieName, _protector.Protect(AccountRules.Normalize(userName), expires), new CookieOptions
        {
            HttpOnly = true,
            // Lax like the session cookie: a person arriving from a connector's page must be recognised.
            SameSite = SameSiteMode.Lax,
            // Secure over https, and always behind a public https URL even when TLS ends at a proxy;
            // local mode runs on plain http over loopback, where a Secure cookie would not come back.
            Secure = context.Request.IsHttps || options.Value.PublicOrigin?.StartsWith("https://", StringComparison.Ordinal) == true,
            Path = "/",
            Expires = expires,
            IsEssential = true,
        });
    }
}
