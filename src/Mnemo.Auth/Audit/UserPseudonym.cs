using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Mnemo.Auth.Storage;

namespace Mnemo.Auth.Audit;

/// <summary>
/// What a deleted account's audit rows keep instead of its id: <c>deleted:</c> + HMAC-SHA256(installation secret, id),
/// 128 bits in hex. Why a keyed hash and not a plain or salted SHA-256: a pseudonym must not be reversible by whoever
/// holds only the audit rows (an export, <c>mnemo audit --json</c> pasted in a ticket), and user ids are guessable from
/// other copies (old backups, logs, the memory database); with the key, only this installation can compute a
/// pseudonym. It stays deterministic, so an operator who still knows the old id finds its events
/// (<c>mnemo audit --user ID</c>) and the rows of one deleted account stay linked to each other. The key is 256 random
/// bits made once per installation, stored in <c>auth_secrets</c> protected with data protection like the server keys:
/// it guards against a leaked row or partial backup, not against a reader of the whole database (who holds the key
/// ring too).
/// </summary>
internal sealed class UserPseudonym(AuthDbContext db, IDataProtectionProvider dataProtection)
{
    private const string SecretName = "audit_user_pseudonym_key";
    private const string Purpose = "Mnemo.Auth.AuditPseudonym.v1";
    public const string Prefix = "deleted:";

    public async Task<string> ForAsync(string userId, CancellationToken cancellationToken = default)
    {
        var key = await KeyAsync(cancellationToken);
        var mac = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(userId));
        return Prefix + Convert.ToHexStringLower(mac.AsSpan(0, 16));
    }

    private async Task<byte[]> KeyAsync(CancellationToken cancellationToken)
    {
        var protector = dataProtection.CreateProtector(Purpose);
        var stored = await db.Secrets.AsNoTracking().FirstOrDefaultAsync(s => s.Name == SecretName, cancellationToken);
        if (stored is null)
        {
            db.Secrets.Add(new AuthSecretRecord { Name = SecretName, ProtectedValue = protector.Protect(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))) });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // Another process made it first: everyone must use the same key, so read theirs.
            }

            db.ChangeTracker.Clear();
            stored = await db.Secrets.AsNoTracking().FirstAsync(s => s.Name == SecretName, cancellationToken);
        }

        return Convert.FromBase64String(protector.Unprotect(stored.ProtectedValue));
    }
}
