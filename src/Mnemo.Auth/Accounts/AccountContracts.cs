namespace Mnemo.Auth.Accounts;

/// <summary>A local account as the outside world sees it. The password hash is deliberately left out.</summary>
public sealed record UserAccount(string Id, string UserName, string? Email, bool Disabled, DateTimeOffset CreatedAt);

/// <summary>
/// What a browser session is bound to: the account and its security stamp when the session began. A new
/// stamp (password changed, signed out everywhere, account disabled) ends every session with the old one.
/// The stamp belongs only in the encrypted session cookie, never in a token or a page.
/// </summary>
public sealed record AccountSession(UserAccount Account, string SecurityStamp);

/// <summary>Thrown for an account operation a person got wrong (name taken, password too short, unknown user). The message says what to fix.</summary>
public sealed class AccountException(string message) : Exception(message);

/// <summary>Local accounts. Passwords are hashed with ASP.NET Core Identity's <c>PasswordHasher&lt;T&gt;</c>.</summary>
public interface IAccountService
{
    /// <summary>Creates an account. Passwords need at least 12 characters and nothing else (NIST SP 800-63B: no composition rules).</summary>
    Task<UserAccount> CreateAsync(string userName, string? email, string password, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<UserAccount>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Finds by user name (case-insensitive) or by id.</summary>
    Task<UserAccount?> FindAsync(string userNameOrId, CancellationToken cancellationToken = default);

    /// <summary>Disables sign-in, every browser session, OAuth grant and API key of the account. Throws <see cref="AccountException"/> for an unknown user.</summary>
    Task<UserAccount> DisableAsync(string userName, CancellationToken cancellationToken = default);

    /// <summary>Deletes the account and its keys. Throws <see cref="AccountException"/> for an unknown user.</summary>
    Task<UserAccount> DeleteAsync(string userName, CancellationToken cancellationToken = default);

    /// <summary>Returns the account when the password matches and the account is enabled; null otherwise.</summary>
    Task<UserAccount?> VerifyPasswordAsync(string userName, string password, CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="VerifyPasswordAsync"/> for a browser sign-in: the account with the security stamp read in the
    /// same query as the password hash, so a sign-in racing a password change cannot get the new stamp.
    /// </summary>
    Task<AccountSession?> SignInAsync(string userName, string password, CancellationToken cancellationToken = default);

    /// <summary>The current session binding of an enabled account, by id; null when it is deleted or disabled. One primary-key read.</summary>
    Task<AccountSession?> FindSessionAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Changes the password of a signed-in person who knows the current one, and ends every other browser
    /// session (new security stamp). Returns the new binding for the caller's own session. Throws
    /// <see cref="AccountException"/> for a wrong current password or a new one that breaks the rules.
    /// </summary>
    Task<AccountSession> ChangePasswordAsync(string userId, string currentPassword, string newPassword, CancellationToken cancellationToken = default);

    /// <summary>Ends every browser session of the account (new security stamp); OAuth grants and API keys keep working. Throws <see cref="AccountException"/> for an unknown user.</summary>
    Task<UserAccount> SignOutEverywhereAsync(string userName, CancellationToken cancellationToken = default);

    Task<int> CountAsync(CancellationToken cancellationToken = default);

    /// <summary>Enables a disabled account. Throws <see cref="AccountException"/> for an unknown user.</summary>
    Task<UserAccount> EnableAsync(string userName, CancellationToken cancellationToken = default);

    /// <summary>Sets a new password (same rules as <see cref="CreateAsync"/>) and ends every browser session; OAuth grants and API keys keep working. Throws <see cref="AccountException"/> for an unknown user or a bad password.</summary>
    Task SetPasswordAsync(string userName, string newPassword, CancellationToken cancellationToken = default);
}
