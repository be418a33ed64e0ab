namespace Mnemo.Auth.Audit;

/// <summary>What an audit event records. Stored by the stable name of <see cref="AuditEventKinds.Name"/>, not by number.</summary>
public enum AuditEventKind
{
    ClientRegistered,
    ClientDeleted,
    ConsentGranted,
    ConsentDenied,
    TokenIssued,
    TokenRefreshed,
    RefreshTokenReuse,
    AuthorizationCodeReuse,
    TokenRevoked,
    RateLimited,
    SignInFailed,
    SignedIn,
    SignedOut,
    SignedOutEverywhere,
    PasswordChanged,
    AccountCreated,
    AccountDisabled,
    AccountEnabled,
    AccountDeleted,
    ApiKeyCreated,
    ApiKeyRevoked,
}

/// <summary>
/// One audit event; <see cref="Kind"/> is the stable name of an <see cref="AuditEventKind"/> (<see cref="AuditEventKinds.Name"/>). Ids and short facts only: never a token, code, password, key or secret. <see cref="UserId"/> of a
/// deleted account is its pseudonym (<c>deleted:</c> + a keyed hash of the id). <see cref="ClientIp"/> is null for
/// events that did not come from a web request (the CLI, background work).
/// </summary>
public sealed record AuditEntry(long Id, DateTimeOffset Time, string Kind, string? UserId, string? ClientId, string? ClientIp, string? Detail);

/// <summary>Reading the audit log (the <c>mnemo audit</c> verb).</summary>
public interface IAuditTrail
{
    /// <summary>
    /// Events oldest first, at or after <paramref name="since"/> when given, of one account when <paramref name="userId"/>
    /// is given (an existing account's id, or the id a deleted account had: its events are found by its pseudonym).
    /// With <paramref name="limit"/>, only the most recent that many.
    /// </summary>
    Task<IReadOnlyList<AuditEntry>> ListAsync(string? userId, DateTimeOffset? since, int? limit, CancellationToken cancellationToken = default);
}
