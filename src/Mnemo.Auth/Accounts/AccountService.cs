using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Mnemo.Auth.Audit;
using Mnemo.Auth.Storage;
using OpenIddict.Abstractions;

namespace Mnemo.Auth.Accounts;

internal sealed partial class AccountService(
    AuthDbContext db,
    IPasswordHasher<UserRecord> hasher,
    DummyPasswordHash dummyHash,
    IOpenIddictAuthorizationManager authorizations,
    IOpenIddictTokenManager tokens,
    TimeProvider time,
    IAuditLog audit,
    UserPseudonym pseudonyms,
    ILogger<AccountService> logger) : IAccountService
{
    public async Task<UserAccount> CreateAsync(string userName, string? email, string password, CancellationToken cancellationToken = default)
    {
        AccountRules.ValidateUserName(userName);
        AccountRules.ValidatePassword(password);
        email = string.IsNullOrWhiteSpace(email) ? null : email.Trim();
        AccountRules.ValidateEmail(email);

        var normalized = AccountRules.Normalize(userName);
        if (await db.Users.AnyAsync(u => u.NormalizedUserName == normalized, cancellationToken))
        {
            throw new AccountException($"A user named '{userName}' already exists (names are case-insensitive).");
        }

        var user = new UserRecord
        {
            Id = Guid.CreateVersion7(time.GetUtcNow()).ToString("N"),
            UserName = userName,
            NormalizedUserName = normalized,
            Email = email,
            PasswordHash = "",
            SecurityStamp = SecurityStamp.New(),
            CreatedAt = time.GetUtcNow(),
        };
        user.PasswordHash = hasher.HashPassword(user, password);
        db.Users.Add(user);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Lost a race with another process creating the same name: the unique index decided.
            db.ChangeTracker.Clear();
            if (await db.Users.AnyAsync(u => u.NormalizedUserName == normalized, cancellationToken))
            {
                throw new AccountException($"A user named '{userName}' already exists (names are case-insensitive).");
            }

            throw;
        }

        AuthLog.UserCreated(logger, user.Id, user.UserName);
        audit.Record(AuditEventKind.AccountCreated, user.Id);
        return ToAccount(user);
    }

    public async Task<IReadOnlyList<UserAccount>> ListAsync(CancellationToken cancellationToken = default)
    {
        var users = await db.Users.AsNoTracking().ToListAsync(cancellationToken);
        return [.. users.OrderBy(u => u.CreatedAt).ThenBy(u => u.Id, StringComparer.Ordinal).Select(ToAccount)];
    }

    public async Task<UserAccount?> FindAsync(string userNameOrId, CancellationToken cancellationToken = default)
    {
        var user = await FindRecordAsync(userNameOrId, cancellationToken);
        return user is null ? null : ToAccount(user);
    }

    public async Task<UserAccount> DisableAsync(string userName, CancellationToken cancellationToken = default)
    {
        var user = await FindRecordAsync(userName, cancellationToken) ?? throw UnknownUser(userName);
        user.Disabled = true;
        // Sessions also check Disabled on every request; a new stamp keeps them ended if the account is enabled again.
        user.SecurityStamp = SecurityStamp.New();
        await db.SaveChangesAsync(cancellationToken);
        await RevokeGrantsAsync(user.Id, cancellationToken);
        AuthLog.UserDisabled(logger, user.Id);
        audit.Record(AuditEventKind.AccountDisabled, user.Id, detail: "sign-in, browser sessions, OAuth grants and API keys stopped");
        return ToAccount(user);
    }

    /// <summary>Enables a disabled account again.</summary>
    public async Task<UserAccount> EnableAsync(string userName, CancellationToken cancellationToken = default)
    {
        var user = await FindRecordAsync(userName, cancellationToken) ?? throw UnknownUser(userName);
        user.Disabled = false;
        await db.SaveChangesAsync(cancellationToken);
        audit.Record(AuditEventKind.AccountEnabled, user.Id);
        return ToAccount(user);
    }

    public async Task<UserAccount> DeleteAsync(string userName, CancellationToken cancellationToken = default)
    {
        var user = await FindRecordAsync(userName, cancellationToken) ?? throw UnknownUser(userName);
        // The account's events stay, under a pseudonym instead of its id (UserPseudonym says why a keyed hash). Events
        // still queued are written first, so none lands with the id after the rows were renamed.
        var pseudonym = await pseudonyms.ForAsync(user.Id, cancellationToken);
        await audit.FlushAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Explicit as well as the cascade: a database opened without foreign-key enforcement must not
        // keep keys that still resolve to a deleted user id.
        await db.ApiKeys.Where(k => k.UserId == user.Id).ExecuteDeleteAsync(cancellationToken);
        await db.AuditEvents.Where(e => e.UserId == user.Id).ExecuteUpdateAsync(set => set.SetProperty(e => e.UserId, pseudonym), cancellationToken);
        db.Users.Remove(user);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await RevokeGrantsAsync(user.Id, cancellationToken);
        AuthLog.UserDeleted(logger, user.Id);
        audit.Record(AuditEventKind.AccountDeleted, pseudonym, detail: "events kept under a pseudonym; keys and grants deleted");
        return ToAccount(user);
    }

    public async Task<UserAccount?> VerifyPasswordAsync(string userName, string password, CancellationToken cancellationToken = default) =>
        (await SignInAsync(userName, password, cancellationToken))?.Account;

    public async Task<AccountSession?> SignInAsync(string userName, string password, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(userName) || userName.Length > AccountRules.MaxUserNameLength
            || string.IsNullOrEmpty(password) || password.Length > AccountRules.MaxPasswordLength
            || !StoredText.CanMatch(userName))
        {
            return null;
        }

        var normalized = AccountRules.Normalize(userName);
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.NormalizedUserName == normalized, cancellationToken);
        if (user is null)
        {
            // Same cost as a wrong password of a real account: response times do not reveal which names exist.
            hasher.VerifyHashedPassword(null!, dummyHash.Value, password);
            AuthLog.SignInFailed(logger, "unknown user");
            // No user id, and never the name that was typed: people type their password into the name field.
            audit.Record(AuditEventKind.SignInFailed, detail: "unknown user name");
            return null;
        }

        var result = hasher.VerifyHashedPassword(user, user.PasswordHash, password);
        if (result == PasswordVerificationResult.Failed)
        {
            AuthLog.SignInFailed(logger, "wrong password");
            audit.Record(AuditEventKind.SignInFailed, user.Id, detail: "wrong password");
            return null;
        }

        if (user.Disabled)
        {
            AuthLog.SignInFailed(logger, "account disabled");
            audit.Record(AuditEventKind.SignInFailed, user.Id, detail: "account disabled");
            return null;
        }

        if (result == PasswordVerificationResult.SuccessRehashNeeded)
        {
            // The hasher's parameters got stronger since this hash was made: upgrade it now. Only if the
            // hash is still the one just checked: a password changed meanwhile must not be overwritten
            // with the old password's new hash.
            var upgraded = hasher.HashPassword(user, password);
            await db.Users.Where(u => u.Id == user.Id && u.PasswordHash == user.PasswordHash)
                .ExecuteUpdateAsync(set => set.SetProperty(u => u.PasswordHash, upgraded), cancellationToken);
        }

        return new AccountSession(ToAccount(user), user.SecurityStamp);
    }

    /// <summary>Sets a new password (the same rules as at creation) and ends every browser session.</summary>
    public async Task SetPasswordAsync(string userName, string newPassword, CancellationToken cancellationToken = default)
    {
        AccountRules.ValidatePassword(newPassword);
        var user = await FindRecordAsync(userName, cancellationToken) ?? throw UnknownUser(userName);
        user.PasswordHash = hasher.HashPassword(user, newPassword);
        // Whoever knew the old password may hold a session: a new stamp ends them all.
        user.SecurityStamp = SecurityStamp.New();
        await db.SaveChangesAsync(cancellationToken);
        AuthLog.PasswordChanged(logger, user.Id);
        audit.Record(AuditEventKind.PasswordChanged, user.Id, detail: "set by an administrator; browser sessions ended");
    }

    public Task<int> CountAsync(CancellationToken cancellationToken = default) => db.Users.CountAsync(cancellationToken);

    /// <summary>
    /// Every OAuth grant and token of the user stops working at once: token-entry validation at the
    /// resource server sees the revoked status on the next request.
    /// </summary>
    private async Task RevokeGrantsAsync(string userId, CancellationToken cancellationToken)
    {
        await authorizations.RevokeBySubjectAsync(userId, cancellationToken);
        await tokens.RevokeBySubjectAsync(userId, cancellationToken);
    }

    internal async Task<UserRecord?> FindRecordAsync(string userNameOrId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(userNameOrId) || !StoredText.CanMatch(userNameOrId))
        {
            return null;
        }

        // Name first, then id: never one query that could match two different accounts.
        var normalized = AccountRules.Normalize(userNameOrId);
        return await db.Users.FirstOrDefaultAsync(u => u.NormalizedUserName == normalized, cancellationToken)
            ?? await db.Users.FirstOrDefaultAsync(u => u.Id == userNameOrId, cancellationToken);
    }

    internal static UserAccount ToAccount(UserRecord user) =>
        new(user.Id, user.UserName, user.Email, user.Disabled, user.CreatedAt);

    private static AccountException UnknownUser(string userName) =>
        new($"No user named '{userName}'. 'mnemo users list' shows the existing users.");
}
