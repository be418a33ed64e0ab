using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Mnemo.Auth.Accounts;
using Mnemo.Auth.OAuth;
using Mnemo.Auth.OAuth.Session;

namespace Mnemo.Auth.Pages;

/// <summary>Password sign-in for the authorization pages. Anti-forgery is validated on POST (Razor Pages default).</summary>
public sealed class LoginModel(IAccountService accounts, LoginThrottle throttle, ILogger<LoginModel> logger) : SecurePageModel
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
        if (throttle.LockedUntil(name) is { } until)
        {
            AuthLog.SignInThrottled(logger, name.Length > 64 ? name[..64] : name);
            Error = $"Too many failed attempts for this account. Try again after {until.UtcDateTime:HH:mm:ss} UTC.";
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            return Page();
        }

        var account = await accounts.VerifyPasswordAsync(name, Password ?? "", HttpContext.RequestAborted);
        if (account is null)
        {
            throttle.RecordFailure(name);
            Error = "The user name or password is wrong, or the account is disabled.";
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        throttle.RecordSuccess(name);
        var identity = new ClaimsIdentity(
            [new Claim(MnemoClaimTypes.Subject, account.Id), new Claim(MnemoClaimTypes.Name, account.UserName)],
            OAuthServiceCollectionExtensions.SessionScheme, MnemoClaimTypes.Name, "role");
        await HttpContext.SignInAsync(OAuthServiceCollectionExtensions.SessionScheme, new ClaimsPrincipal(identity),
            new AuthenticationProperties { IsPersistent = true });
        AuthLog.SignedIn(logger, account.Id);

        // 302 to a local URL only: an attacker-supplied absolute returnUrl would be an open redirector.
        return LocalRedirect(ReturnUrl ?? "/login?signedIn=1");
    }

    private string? SafeReturnUrl() =>
        !string.IsNullOrEmpty(ReturnUrl) && Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : null;
}
