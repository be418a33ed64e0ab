using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Mnemo.Auth.Audit;

namespace Mnemo.Auth.Accounts;

/// <summary>Browser sessions: what they are bound to, and the operations that end them (a new security stamp).</summary>
internal sealed partial class AccountService
{
    public async Task<AccountSession?> FindSessionAsync(string userId, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(userId))
        {
            return null;
        }

        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId && !u.Disabled, cancellationToken);
        return user is null ? null : new AccountSession(ToAccount(user), user.SecurityStamp);
    }

    public async Task<AccountSession> ChangePasswordAsync(string userId, string currentPassword, string newPassword, CancellationToken cancellationToken = default)
    {
        // Rules first: a new password that cannot be used costs no hash and is no guess at the current one.
        AccountRules.ValidatePassword(newPassword);
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId && !u.Disabled, cancellationToken)
            ?? throw new AccountException("This account no longer exists or is disabled.");
        if (string.IsNullOrEmpty(currentPassword) || currentPassword.Length > AccountRules.MaxPasswordLength
            || hasher.VerifyHashedPassword(user, user.PasswordHash, currentPassword) == PasswordVerificationResult.Failed)
        {
            // Asked even though the person is signed in: a borrowed or stolen session must not be enough to
            // take the account over.
            AuthLog.SignInFailed(logger, "wrong current password on password change");
            audit.Record(AuditEventKind.SignInFailed, user.Id, detail: "wrong current password when changing it");
            throw new AccountException("The current password is wrong.");
        }

        user.PasswordHash = hasher.HashPassword(user, newPassword);
        user.SecurityStamp = SecurityStamp.New();
        await db.SaveChangesAsync(cancellationToken);
        AuthLog.PasswordChanged(logger, user.Id);
        audit.Record(AuditEventKind.PasswordChanged, user.Id, detail: "changed by its owner; other browser sessions ended");
        return new AccountSession(ToAccount(user), user.SecurityStamp);
    }

    public async Task<UserAccount> SignOutEverywhereAsync(string userName, CancellationToken cancellationToken = default)
    {
        var user = await FindRecordAsync(userName, cancellationToken) ?? throw UnknownUser(userName);
        user.SecurityStamp = SecurityStamp.New();
        await db.SaveChangesAsync(cancellationToken);
        AuthLog.SessionsEnded(logger, user.Id);
        audit.Record(AuditEventKind.SignedOutEverywhere, user.Id);
        return ToAccount(user);
    }
}
