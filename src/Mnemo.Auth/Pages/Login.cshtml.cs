using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Mnemo.Auth.Accounts;
using Mnemo.Auth.Audit;
using Mnemo.Auth.OAuth.Session;

namespace Mnemo.Auth.Pages;

/// <summary>
/// Password sign-in for the authorization pages. Anti-forgery is validated on POST (Razor Pages default).
/// Every attempt goes through <see cref="LoginThrottle"/> before the password is checked.
/// </summary>
internal sealed class LoginModel(
    IAccountService accounts,
    LoginThrottle throttle,
    DeviceCookie deviceCookie,
    TimeProvider time,
    IAuditLog audit,
    ILogger<LoginModel> logger) : SecurePageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty]
    public string? UserName { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    public string? Error { get; private set; }

    public void OnGet()
    {
        ReturnUrl = SafeReturnUrl();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        ReturnUrl = SafeReturnUrl();
        var name = UserName?.Trim() ?? "";
        // The connection's address: forwarded-header handling has already put the client's there when the
        // request came through a configured proxy, and no header is trusted otherwise.
        var client = ClientAddress.Key(HttpContext.Connection.RemoteIpAddress);
        var attempt = throttle.TryBegin(name, client, deviceCookie.IsFor(Request, name));
        if (attempt.LockedUntil is { } until)
        {
            AuthLog.SignInThrottled(logger, name.Length > 64 ? name[..64] : name);
            // No user and no name (whatever was typed may be a password); one row a minute per address at most.
            audit.Record(AuditEventKind.RateLimited, detail: "sign-in locked after repeated failures");
            // The same words whether the name exists or not, and whichever counter locked.
            Error = $"Too many failed sign-ins from your network. Try again after {until.UtcDateTime:HH:mm:ss} UTC.";
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling((until - time.GetUtcNow()).TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Page();
        }

        if (attempt.Delay > TimeSpan.Zero)
        {
            await Task.Delay(attempt.Delay, time, HttpContext.RequestAborted);
        }

        var session = await accounts.SignInAsync(name, Password ?? "", HttpContext.RequestAborted);
        if (session is null)
        {
            // Already counted by TryBegin.
            Error = "The user name or password is wrong, or the account is disabled.";
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        throttle.Succeeded(attempt);
        deviceCookie.Issue(HttpContext, session.Account.UserName);
        await SessionCookie.SignInAsync(HttpContext, session);
        AuthLog.SignedIn(logger, session.Account.Id);
        audit.Record(AuditEventKind.SignedIn, session.Account.Id);

        // 302 to a local URL only: an attacker-supplied absolute returnUrl would be an open redirector.
        return LocalRedirect(ReturnUrl ?? "/account");
    }

    private string? SafeReturnUrl() =>
        !string.IsNullOrEmpty(ReturnUrl) && Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : null;
}
