namespace Mnemo.Auth.Storage;

/// <summary>A row of <c>users</c>. Never serialized: <see cref="Accounts.UserAccount"/> is the outside shape.</summary>
internal sealed class UserRecord
{
    public required string Id { get; set; }

    public required string UserName { get; set; }

    /// <summary>Upper-cased (invariant) user name; unique, so names are unique case-insensitively on every provider.</summary>
    public required string NormalizedUserName { get; set; }

    public string? Email { get; set; }

    /// <summary>ASP.NET Core Identity <c>PasswordHasher</c> output (PBKDF2, salted, versioned).</summary>
    public required string PasswordHash { get; set; }

    public bool Disabled { get; set; }

    /// <summary>
    /// Random value every browser session of the account is bound to (it travels in the encrypted session
    /// cookie and is checked on each page request). A new one — password changed, "sign out everywhere",
    /// account disabled — ends every session made before it. OAuth grants and API keys do not use it.
    /// </summary>
    public required string SecurityStamp { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public List<ApiKeyRecord> ApiKeys { get; set; } = [];
}

/// <summary>A row of <c>api_keys</c>. The secret itself is never stored, only its SHA-256.</summary>
internal sealed class ApiKeyRecord
{
    /// <summary>Public key id, <c>key_</c> + 8 random characters; safe to show and log.</summary>
    public required string Id { get; set; }

    public required string UserId { get; set; }

    public UserRecord? User { get; set; }

    public string? Label { get; set; }

    /// <summary>Lower-case hex SHA-256 of the whole secret (see <see cref="ApiKeys.ApiKeySecret"/>).</summary>
    public required string SecretHash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }
}
