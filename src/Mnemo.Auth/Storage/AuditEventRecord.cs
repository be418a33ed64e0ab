namespace Mnemo.Auth.Storage;

/// <summary>
/// A row of <c>audit_events</c> (<see cref="Audit.IAuditLog"/>). Never a token, code, password, key or secret: ids, the
/// client address and a short detail. <see cref="OccurredAt"/> is stored as Unix milliseconds (an integer), so the
/// retention delete and <c>--since</c> compare in SQL on every provider.
/// </summary>
internal sealed class AuditEventRecord
{
    public long Id { get; set; }

    public DateTimeOffset OccurredAt { get; set; }

    /// <summary>The stable name of the kind (<see cref="Audit.AuditEventKinds.Name"/>).</summary>
    public required string Kind { get; set; }

    /// <summary>The account, or for a deleted account its pseudonym (<see cref="Audit.UserPseudonym"/>).</summary>
    public string? UserId { get; set; }

    public string? ClientId { get; set; }

    public string? ClientIp { get; set; }

    public string? Detail { get; set; }
}

/// <summary>A row of <c>auth_secrets</c>: a per-installation secret the module derives something from (protected with data protection).</summary>
internal sealed class AuthSecretRecord
{
    public required string Name { get; set; }

    public required string ProtectedValue { get; set; }
}
