namespace Mnemo.Auth.Accounts;

/// <summary>A local account as the outside world sees it. The password hash is deliberately left out.</summary>
public sealed record UserAccount(string Id, string UserName, string? Email, bool Disabled, DateTimeOffset CreatedAt);

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

    /// <summary>Disables sign-in and every key of the account. Throws <see cref="AccountException"/> for an unknown user.</summary>
    Task<UserAccount> DisableAsync(string userName, CancellationToken cancellationToken = default);

    /// <summary>Deletes the account and its keys. Throws <see cref="AccountException"/> for an unknown user.</summary>
    Task<UserAccount> DeleteAsync(string userName, CancellationToken cancellationToken = default);

    /// <summary>Returns the account when the password matches and the account is enabled; null otherwise.</summary>
    Task<UserAccount?> VerifyPasswordAsync(string userName, string password, CancellationToken cancellationToken = default);

    Task<int> CountAsync(CancellationToken cancellationToken = default);

    /// <summary>Enables a disabled account. Throws <see cref="AccountException"/> for an unknown user.</summary>
    Task<UserAccount> EnableAsync(string userName, CancellationToken cancellationToken = default);

    /// <summary>Sets a new password (same rules as <see cref="CreateAsync"/>). Throws <see cref="AccountException"/> for an unknown user or a bad password.</summary>
    Task SetPasswordAsync(string userName, string newPassword, CancellationToken cancellationToken = default);
}
