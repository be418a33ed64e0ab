using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Logging;
using Mnemo.Auth.Accounts;
using Mnemo.Auth.Audit;
using Mnemo.Auth.OAuth;
using Mnemo.Auth.OAuth.Session;

namespace Mnemo.Auth.Pages;

/// <summary>
/// The signed-in person's own account: change the password, sign out, sign out everywhere. Signed-in only
/// (the session scheme's challenge sends others to /login); every form is a POST with an anti-forgery token
/// (Razor Pages default), so another site cannot sign anyone out or change a password (CSRF).
/// </summary>
[Authorize(AuthenticationSchemes = OAuthServiceCollectionExtensions.SessionScheme)]
internal sealed class AccountModel(
    IAccountService accounts,
    LoginThrottle throttle,
    IAuditLog audit,
    ILogger<AccountModel> logger) : SecurePageModel
{
    [BindProperty]
    public string? CurrentPassword { get; set; }

    [BindProperty]
    public string? NewPassword { get; set; }

    public string UserName => User.Identity?.Name ?? "";

    public string? Message { get; private set; }

    public string? Error { get; private set; }

    private string UserId => User.FindFirst(MnemoClaimTypes.Subject)?.Value ?? "";

    public void OnGet(string? done)
    {
        Message = done == "password" ? "Password changed. Every other browser has been signed out." : null;
    }

    public async Task<IActionResult> OnPostChangePasswordAsync()
    {
        try
        {
            // A new password that breaks the rules is refused before the current one is checked: no hash,
            // and no guess at the current password is counted.
            AccountRules.ValidatePassword(NewPassword);
        }
        catch (AccountException e)
        {
            return Failed(e.Message, StatusCodes.Status400BadRequest);
        }

        // The current-password check is a password oracle for whoever holds this session (a borrowed or
        // stolen cookie), so it is throttled like the sign-in form; this browser is signed in to the
        // account, so it gets no per-account delay.
        var attempt = throttle.TryBegin(UserName, ClientAddress.Key(HttpContext.Connection.RemoteIpAddress), knownDevice: true);
        if (attempt.LockedUntil is { } until)
        {
            return Failed($"Too many wrong passwords from your network. Try again after {until.UtcDateTime:HH:mm:ss} UTC.", StatusCodes.Status429TooManyRequests);
        }

        AccountSession session;
        try
        {
            session = await accounts.ChangePasswordAsync(UserId, CurrentPassword ?? "", NewPassword!, HttpContext.RequestAborted);
        }
        catch (AccountException e)
        {
            return Failed(e.Message, StatusCodes.Status400BadRequest);
        }

        throttle.Succeeded(attempt);
        // Every other session has the old stamp and ends; this browser continues with the new one.
        await SessionCookie.SignInAsync(HttpContext, session);
        return LocalRedirect("/account?done=password");
    }

    public async Task<IActionResult> OnPostSignOutAsync()
    {
        await SessionCookie.SignOutAsync(HttpContext);
        AuthLog.SignedOut(logger, UserId);
        audit.Record(AuditEventKind.SignedOut, UserId, detail: "this browser");
        return LocalRedirect("/login");
    }

    public async Task<IActionResult> OnPostSignOutEverywhereAsync()
    {
        await accounts.SignOutEverywhereAsync(UserId, HttpContext.RequestAborted);
        await SessionCookie.SignOutAsync(HttpContext);
        return LocalRedirect("/login");
    }

    private PageResult Failed(string error, int status)
    {
        Error = error;
        Response.StatusCode = status;
        return Page();
    }
}
