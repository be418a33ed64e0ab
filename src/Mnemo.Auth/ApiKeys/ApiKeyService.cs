using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mnemo.Auth.Accounts;
using Mnemo.Auth.Audit;
using Mnemo.Auth.Credentials;
using Mnemo.Auth.Storage;

namespace Mnemo.Auth.ApiKeys;

internal sealed class ApiKeyService(
    AuthDbContext db,
    TimeProvider time,
    IOptions<MnemoAuthOptions> options,
    IAuditLog audit,
    ILogger<ApiKeyService> logger) : IApiKeyService
{
    public const int MaxLabelLength = 100;

    public async Task<CreatedApiKey> CreateAsync(string userName, string? label, CancellationToken cancellationToken = default)
    {
        label = string.IsNullOrWhiteSpace(label) ? null : label.Trim();
        if (label is { Length: > MaxLabelLength })
        {
            throw new AccountException($"The key label is {label.Length} characters long: use at most {MaxLabelLength}.");
        }

        if (label is not null && label.Any(char.IsControl))
        {
            throw new AccountException("The key label contains control characters: use plain text.");
        }

        var normalized = AccountRules.Normalize(userName ?? "");
        var user = await db.Users.FirstOrDefaultAsync(u => u.NormalizedUserName == normalized, cancellationToken)
            ?? await db.Users.FirstOrDefaultAsync(u => u.Id == userName, cancellationToken)
            ?? throw new AccountException($"No user named '{userName}'. 'mnemo users list' shows the existing users.");
        if (user.Disabled)
        {
            throw new AccountException($"The user '{user.UserName}' is disabled: enable it before creating keys.");
        }

        var secret = ApiKeySecret.NewSecret();
        var record = new ApiKeyRecord
        {
            Id = ApiKeySecret.NewId(),
            UserId = user.Id,
            Label = label,
            SecretHash = ApiKeySecret.Hash(secret),
            CreatedAt = time.GetUtcNow(),
        };
        db.ApiKeys.Add(record);
        await db.SaveChangesAsync(cancellationToken);
        AuthLog.ApiKeyCreated(logger, record.Id, user.Id);
        audit.Record(AuditEventKind.ApiKeyCreated, user.Id, detail: $"key {record.Id}");
        return new CreatedApiKey(ToInfo(record), secret);
    }

    public async Task<IReadOnlyList<ApiKeyInfo>> ListAsync(string userName, CancellationToken cancellationToken = default)
    {
        var normalized = AccountRules.Normalize(userName ?? "");
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.NormalizedUserName == normalized, cancellationToken)
            ?? await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userName, cancellationToken)
            ?? throw new AccountException($"No user named '{userName}'. 'mnemo users list' shows the existing users.");
        var keys = await db.ApiKeys.AsNoTracking().Where(k => k.UserId == user.Id).ToListAsync(cancellationToken);
        return [.. keys.OrderBy(k => k.CreatedAt).ThenBy(k => k.Id, StringComparer.Ordinal).Select(ToInfo)];
    }

    public async Task<bool> RevokeAsync(string keyId, CancellationToken cancellationToken = default)
    {
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == keyId, cancellationToken);
        if (key is null)
        {
            return false;
        }

        var wasActive = key.RevokedAt is null;
        key.RevokedAt ??= time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        AuthLog.ApiKeyRevoked(logger, key.Id);
        if (wasActive)
        {
            audit.Record(AuditEventKind.ApiKeyRevoked, key.UserId, detail: $"key {key.Id}");
        }
        return true;
    }

    public async Task<ApiKeyIdentity?> ValidateAsync(string presentedSecret, CancellationToken cancellationToken = default)
    {
        if (!ApiKeySecret.LooksLikeKey(presentedSecret))
        {
            return null;
        }

        var hash = ApiKeySecret.Hash(presentedSecret);
        var key = await db.ApiKeys.AsNoTracking().Include(k => k.User)
            .FirstOrDefaultAsync(k => k.SecretHash == hash, cancellationToken);

        // The indexed lookup compares hashes, not secrets: its timing can reveal at most a prefix of
        // a SHA-256 value, which says nothing about any secret. The check below is constant-time
        // anyway so that no code path compares key material with an early-exit comparison.
        if (key is null || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(key.SecretHash), Encoding.ASCII.GetBytes(hash)))
        {
            return null;
        }

        if (key.RevokedAt is not null)
        {
            AuthLog.ApiKeyRefused(logger, key.Id, "revoked");
            return null;
        }

        if (key.User is null || key.User.Disabled)
        {
            AuthLog.ApiKeyRefused(logger, key.Id, key.User is null ? "user deleted" : "user disabled");
            return null;
        }

        var now = time.GetUtcNow();
        if (key.LastUsedAt is null || now - key.LastUsedAt.Value >= options.Value.ApiKeyLastUsedInterval)
        {
            // Throttled: at most one write per key per interval, not one per request. Tagged: a use changes no
            // credential, so it must not end every cached credential of the process (CredentialChangeInterceptor).
            await db.ApiKeys.TagWith(CredentialChangeInterceptor.NotARevocationTag).Where(k => k.Id == key.Id).ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, now), cancellationToken);
            key.LastUsedAt = now;
        }

        return new ApiKeyIdentity(AccountService.ToAccount(key.User), ToInfo(key));
    }

    private static ApiKeyInfo ToInfo(ApiKeyRecord key) =>
        new(key.Id, key.UserId, key.Label, key.CreatedAt, key.LastUsedAt, key.RevokedAt);
}
