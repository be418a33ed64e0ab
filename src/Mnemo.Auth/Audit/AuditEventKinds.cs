namespace Mnemo.Auth.Audit;

/// <summary>The stored and shown names of <see cref="AuditEventKind"/>: fixed strings, so renaming a member never changes old rows.</summary>
public static class AuditEventKinds
{
    private static readonly Dictionary<AuditEventKind, string> Names = new()
    {
        [AuditEventKind.ClientRegistered] = "client_registered",
        [AuditEventKind.ClientDeleted] = "client_deleted",
        [AuditEventKind.ConsentGranted] = "consent_granted",
        [AuditEventKind.ConsentDenied] = "consent_denied",
        [AuditEventKind.TokenIssued] = "token_issued",
        [AuditEventKind.TokenRefreshed] = "token_refreshed",
        [AuditEventKind.RefreshTokenReuse] = "refresh_token_reuse",
        [AuditEventKind.AuthorizationCodeReuse] = "authorization_code_reuse",
        [AuditEventKind.TokenRevoked] = "token_revoked",
        [AuditEventKind.RateLimited] = "rate_limited",
        [AuditEventKind.SignInFailed] = "sign_in_failed",
        [AuditEventKind.SignedIn] = "signed_in",
        [AuditEventKind.SignedOut] = "signed_out",
        [AuditEventKind.SignedOutEverywhere] = "signed_out_everywhere",
        [AuditEventKind.PasswordChanged] = "password_changed",
        [AuditEventKind.AccountCreated] = "account_created",
        [AuditEventKind.AccountDisabled] = "account_disabled",
        [AuditEventKind.AccountEnabled] = "account_enabled",
        [AuditEventKind.AccountDeleted] = "account_deleted",
        [AuditEventKind.ApiKeyCreated] = "api_key_created",
        [AuditEventKind.ApiKeyRevoked] = "api_key_revoked",
    };

    private static readonly Dictionary<string, AuditEventKind> Kinds = Names.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

    public static string Name(AuditEventKind kind) => Names[kind];

    /// <summary>The kind of a stored name (null for a name this version does not know, e.g. written by a newer one).</summary>
    public static AuditEventKind? Parse(string name) => Kinds.TryGetValue(name, out var kind) ? kind : null;
}
