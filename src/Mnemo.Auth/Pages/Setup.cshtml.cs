using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Mnemo.Auth.Accounts;
using Mnemo.Auth.Audit;
using Mnemo.Auth.OAuth.Session;

namespace Mnemo.Auth.Pages;

/// <summary>
/// First run: whoever holds the one-time token printed on the server's stdout creates the first
/// account. The token dies with the first account, so this page cannot be used to add more.
/// </summary>
internal sealed class SetupModel(IAccountService accounts, SetupToken setupToken, IAuditLog audit, ILogger<SetupModel> logger) : SecurePageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Token { get; set; }

    [BindProperty]
    public string? UserName { get; set; }

    [BindProperty]
    public string? Email { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    public bool TokenValid { get; private set; }

    public bool Done { get; private set; }

    public string? Error { get; private set; }

    public async Task OnGetAsync()
    {
        TokenValid = await IsOpenAsync();
        if (!TokenValid)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
        }
    }

    /// <summary>Two simultaneous posts of the same link must not create two accounts.</summary>
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public async Task<IActionResult> OnPostAsync()
    {
        await Gate.WaitAsync(HttpContext.RequestAborted);
        try
        {
            return await CreateFirstAccountAsync();
        }
        finally
        {
            Gate.Release();
        }
    }

    private async Task<IActionResult> CreateFirstAccountAsync()
    {
        TokenValid = await IsOpenAsync();
        if (!TokenValid)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
            return Page();
        }

        try
        {
            var account = await accounts.CreateAsync(UserName?.Trim() ?? "", Email, Password ?? "", HttpContext.RequestAborted);
            setupToken.Revoke();
            AuthLog.SetupCompleted(logger, account.UserName);
            if (await accounts.FindSessionAsync(account.Id, HttpContext.RequestAborted) is { } session)
            {
                await SessionCookie.SignInAsync(HttpContext, session);
                audit.Record(AuditEventKind.SignedIn, account.Id, detail: "first-run setup");
            }
            Done = true;
            UserName = account.UserName;
            return Page();
        }
        catch (AccountException e)
        {
            Error = e.Message;
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
    }

    private async Task<bool> IsOpenAsync() =>
        setupToken.Matches(Token) && await accounts.CountAsync(HttpContext.RequestAborted) == 0;
}
