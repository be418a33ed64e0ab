using Mnemo.Auth.Accounts;

namespace Mnemo.Auth.ApiKeys;

/// <summary>An API key's public facts. The key itself exists only as a hash and is never shown again.</summary>
public sealed record ApiKeyInfo(string Id, string UserId, string? Label, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);

/// <summary>A key just created: <see cref="Secret"/> is the only plain-text copy there will ever be.</summary>
public sealed record CreatedApiKey(ApiKeyInfo Info, string Secret);

/// <summary>The account and key a presented secret resolved to.</summary>
public sealed record ApiKeyIdentity(UserAccount User, ApiKeyInfo Key);

public interface IApiKeyService
{
    /// <summary>Creates a key for a user (by name or id). Throws <see cref="AccountException"/> for an unknown or disabled user.</summary>
    Task<CreatedApiKey> CreateAsync(string userName, string? label, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<ApiKeyInfo>> ListAsync(string userName, CancellationToken cancellationToken = default);

    /// <summary>Revokes by key id; false when no such key exists.</summary>
    Task<bool> RevokeAsync(string keyId, CancellationToken cancellationToken = default);

    /// <summary>Resolves a presented secret; null when unknown, revoked, or its user is disabled or deleted.</summary>
    Task<ApiKeyIdentity?> ValidateAsync(string presentedSecret, CancellationToken cancellationToken = default);
}
