using Microsoft.Extensions.Options;
using Mnemo.Auth.Storage;
using Mnemo.Storage;
using ModelContextProtocol.Protocol;

namespace Mnemo.Auth;

/// <summary>
/// Settings of the authorization server. The host wires the first group in code (storage, public URL, resource,
/// scopes); the rest are tunables it usually binds from configuration (Mnemo binds <c>Mnemo:Auth</c>). Defaults are
/// set here; everything is validated when <c>AddMnemoAuthorizationServer</c> runs.
/// </summary>
public sealed class MnemoAuthOptions
{
    public const string SectionName = "Mnemo:Auth";

    /// <summary>
    /// The public origin, passed in by the host (Mnemo: <c>Mnemo:PublicUrl</c>). Null = local mode: issuer, resource
    /// and endpoint URLs come from the request's scheme and Host, which the host must limit to loopback.
    /// </summary>
    public string? PublicUrl { get; set; }

    /// <summary>Path of the protected MCP endpoint; the OAuth resource (token audience) is the origin plus this path.</summary>
    public string ResourcePath { get; set; } = "/mcp";

    /// <summary>The scopes of the protected server, in the order they are advertised and shown on the consent page.</summary>
    public List<AuthScope> Scopes { get; } = [];

    /// <summary>
    /// The scope a <c>tools/call</c> of a tool needs (e.g. <see cref="ToolScopes.ByReadOnlyHint"/>); a token without
    /// it gets 403 <c>insufficient_scope</c> before the tool runs. May stay null only with a single scope, which every
    /// call then needs.
    /// </summary>
    public Func<Tool, string>? ToolScope { get; set; }

    /// <summary>
    /// Scopes granted when a client asks for none (ChatGPT sends none on reconnect). Empty (the default)
    /// means all of <see cref="Scopes"/>. Empty rather than pre-filled because configuration binding appends to a pre-filled array.
    /// </summary>
    public string[] DefaultScopes { get; set; } = [];

    /// <summary>The names of <see cref="Scopes"/>.</summary>
    public IReadOnlyList<string> ScopeNames => [.. Scopes.Select(s => s.Name)];

    /// <summary><see cref="DefaultScopes"/>, or all scopes when none are configured.</summary>
    public IReadOnlyList<string> EffectiveDefaultScopes =>
        DefaultScopes.Length == 0 ? ScopeNames : [.. DefaultScopes.Distinct(StringComparer.Ordinal)];

    /// <summary>The scope a call of <paramref name="tool"/> needs.</summary>
    internal string RequiredScope(Tool tool) => ToolScope?.Invoke(tool) ?? Scopes[0].Name;

    /// <summary>Where accounts, keys, clients and grants are kept; set by <see cref="UseSqlite"/>, <see cref="UsePostgres"/> or <see cref="UseDatabase"/>.</summary>
    internal DatabaseConnection? Storage { get; private set; }

    /// <summary>Keeps the module's tables in an SQLite database (its own migrations history table, so it can share a file).</summary>
    public MnemoAuthOptions UseSqlite(string connectionString) => UseDatabase(DatabaseConnection.Sqlite(connectionString));

    /// <summary>
    /// Keeps the module's tables in a PostgreSQL database (its own migrations history table, so it can share the
    /// database). Several instances of the host may then share it: keys, clients, grants and the data-protection key
    /// ring are all read from there.
    /// </summary>
    public MnemoAuthOptions UsePostgres(string connectionString) => UseDatabase(DatabaseConnection.Postgres(connectionString));

    /// <summary>Keeps the module's tables in <paramref name="database"/>.</summary>
    public MnemoAuthOptions UseDatabase(DatabaseConnection database)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentException.ThrowIfNullOrWhiteSpace(database.ConnectionString);
        Storage = database;
        return this;
    }

    /// <summary>Access token lifetime (default 2 hours).</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(2);

    /// <summary>Refresh token lifetime (default 90 days): a connector stays connected while it is used.</summary>
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(90);

    /// <summary>How long a rotated refresh token is still accepted (default 30 s): a retried or raced refresh does not log anyone out.</summary>
    public TimeSpan RefreshTokenReuseLeeway { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Authorization code lifetime (default 60 s).</summary>
    public TimeSpan AuthorizationCodeLifetime { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a person stays signed in to Mnemo's pages (default 14 days, sliding).</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromDays(14);

    /// <summary>Failed sign-ins to one account from one client address (IPv6: /64) before that address may not try that account for a while (default 5).</summary>
    public int LoginMaxFailures { get; set; } = 5;

    /// <summary>Failed sign-ins from one client address (IPv6: /64), to any accounts, before it may not sign in for a while (default 20).</summary>
    public int LoginMaxFailuresPerIp { get; set; } = 20;

    /// <summary>How long a locked address waits (default 1 minute, doubling with each further failure, at most 1 hour). Zero turns locking off.</summary>
    public TimeSpan LoginLockout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Longest delay added to every sign-in of an account that failed <see cref="LoginMaxFailures"/> times
    /// from anywhere (default 4 s; it starts at an eighth and doubles). The account is never locked, so a
    /// guesser cannot lock the owner out; browsers that signed in to it before skip the delay. Zero: none.
    /// </summary>
    public TimeSpan LoginAccountMaxDelay { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>Request limits of the module's own routes, per process (<c>Mnemo:Auth:RateLimits:*</c>).</summary>
    public OAuth.RateLimits.RateLimitOptions RateLimits { get; set; } = new();

    /// <summary>How often an API key's <c>last_used_at</c> may be written (default one minute): a key used
    /// on every request costs one write per interval, not one per request.</summary>
    public TimeSpan ApiKeyLastUsedInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a verified bearer credential (access token or API key) is trusted without being verified again (default
    /// 1 s; at most 2 s; zero verifies every call). A revocation made by this instance ends it at once; one made by
    /// another instance or by the CLI takes at most this long to reach this one.
    /// </summary>
    public TimeSpan CredentialRecheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a token signing (and encryption) key signs new tokens before its successor takes over (default 90
    /// days). Rotation limits what one leaked or broken key can do and keeps the rotation path exercised; the old key
    /// stays published and able to validate until every token it signed has expired.
    /// </summary>
    public TimeSpan SigningKeyLifetime { get; set; } = TimeSpan.FromDays(90);

    /// <summary>
    /// How long before it signs anything a new key is created and published in the JWKS (default 1 day): longer than
    /// any client's JWKS cache and than the minute other instances take to load it, so nobody meets a token signed
    /// by a key they have not seen. Also kept as a margin after a retired key's last token expired.
    /// </summary>
    public TimeSpan SigningKeyLeadTime { get; set; } = TimeSpan.FromDays(1);

    /// <summary>The audit log (Mnemo binds <c>Mnemo:Audit</c>).</summary>
    public MnemoAuditOptions Audit { get; } = new();

    /// <summary>The longest any token signed or encrypted by a server key lives: how long a superseded key must still validate.</summary>
    internal TimeSpan LongestTokenLifetime =>
        new[] { AccessTokenLifetime, RefreshTokenLifetime, AuthorizationCodeLifetime }.Max();

    /// <summary>The parsed public origin without trailing slash, or null in local mode.</summary>
    public string? PublicOrigin =>
        string.IsNullOrWhiteSpace(PublicUrl) ? null : new Uri(PublicUrl, UriKind.Absolute).GetLeftPart(UriPartial.Authority);
}

internal sealed class MnemoAuthOptionsValidator : IValidateOptions<MnemoAuthOptions>
{
    public ValidateOptionsResult Validate(string? name, MnemoAuthOptions options)
    {
        List<string> failures = [];
        if (!string.IsNullOrWhiteSpace(options.PublicUrl)
            && (!Uri.TryCreate(options.PublicUrl, UriKind.Absolute, out var uri)
                || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
                || options.PublicUrl.EndsWith('/') || uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0))
        {
            failures.Add($"The public URL is '{options.PublicUrl}': use an origin with no path and no trailing slash, e.g. https://mnemo.example.com.");
        }

        if (options.Storage is null)
        {
            failures.Add("No storage is set: call options.UseSqlite(connectionString) or options.UsePostgres(connectionString) in AddMnemoAuthorizationServer (or AddMnemoAccounts).");
        }

        if (options.Scopes.Count == 0)
        {
            failures.Add("No scopes are set: add the protected server's scopes to options.Scopes, e.g. new AuthScope(\"tools:read\", \"read your data\").");
        }

        var names = options.ScopeNames;
        if (names.Any(n => string.IsNullOrEmpty(n) || n == "offline_access" || n.Any(c => c is <= ' ' or '"' or '\\' or > '~'))
            || names.Distinct(StringComparer.Ordinal).Count() != names.Count)
        {
            failures.Add($"options.Scopes is [{string.Join(", ", names)}]: use distinct names of printable ASCII without spaces, quotes or backslashes (RFC 6749 §3.3), and not offline_access (the module adds it).");
        }

        if (options.Scopes.Count > 1 && options.ToolScope is null)
        {
            failures.Add("options.ToolScope is not set: with several scopes, say which one each tool needs (e.g. ToolScopes.ByReadOnlyHint(read, write)).");
        }

        if (!options.ResourcePath.StartsWith('/') || options.ResourcePath.EndsWith('/') || options.ResourcePath.Contains('?') || options.ResourcePath.Contains('#'))
        {
            failures.Add($"Mnemo:Auth:ResourcePath is '{options.ResourcePath}': use an absolute path without trailing slash, e.g. /mcp.");
        }

        var unknown = options.DefaultScopes.Where(s => !names.Contains(s)).ToArray();
        if (unknown.Length > 0)
        {
            failures.Add($"Mnemo:Auth:DefaultScopes is [{string.Join(", ", options.DefaultScopes)}]: use some of {string.Join(", ", names)}.");
        }

        Check(failures, "AccessTokenLifetime", options.AccessTokenLifetime, TimeSpan.FromMinutes(1), TimeSpan.FromDays(1));
        Check(failures, "RefreshTokenLifetime", options.RefreshTokenLifetime, TimeSpan.FromHours(1), TimeSpan.FromDays(400));
        Check(failures, "RefreshTokenReuseLeeway", options.RefreshTokenReuseLeeway, TimeSpan.Zero, TimeSpan.FromMinutes(5));
        Check(failures, "AuthorizationCodeLifetime", options.AuthorizationCodeLifetime, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(10));
        Check(failures, "SessionLifetime", options.SessionLifetime, TimeSpan.FromMinutes(5), TimeSpan.FromDays(400));
        Check(failures, "LoginLockout", options.LoginLockout, TimeSpan.Zero, TimeSpan.FromHours(1));
        Check(failures, "LoginAccountMaxDelay", options.LoginAccountMaxDelay, TimeSpan.Zero, TimeSpan.FromMinutes(1));
        Check(failures, "ApiKeyLastUsedInterval", options.ApiKeyLastUsedInterval, TimeSpan.Zero, TimeSpan.FromDays(1));
        // At most 2 s: OAUTH.md's bound for a revocation to reach every other instance.
        Check(failures, "CredentialRecheckInterval", options.CredentialRecheckInterval, TimeSpan.Zero, TimeSpan.FromSeconds(2));
        var limits = options.RateLimits;
        foreach (var (setting, value) in new[] { ("RegisterPerMinute", limits.RegisterPerMinute), ("PagesPerMinute", limits.PagesPerMinute), ("TokenPerMinute", limits.TokenPerMinute), ("MetadataFetchesPerMinute", limits.MetadataFetchesPerMinute) })
        {
            if (value < 0)
            {
                failures.Add($"Mnemo:Auth:RateLimits:{setting} is {value}: use 0 (no limit) or more.");
            }
        }

        Check(failures, "SigningKeyLifetime", options.SigningKeyLifetime, TimeSpan.FromDays(1), TimeSpan.FromDays(730));
        Check(failures, "SigningKeyLeadTime", options.SigningKeyLeadTime, TimeSpan.FromMinutes(5), TimeSpan.FromDays(30));
        if (options.SigningKeyLeadTime * 2 > options.SigningKeyLifetime)
        {
            failures.Add($"Mnemo:Auth:SigningKeyLeadTime is {options.SigningKeyLeadTime} and Mnemo:Auth:SigningKeyLifetime {options.SigningKeyLifetime}: the lead time must be at most half the lifetime, or each key would get a successor almost as soon as it starts signing.");
        }

        if (options.Audit.RetentionDays is < 0 or > 36_500)
        {
            failures.Add($"{MnemoAuditOptions.RetentionDaysKey} is {options.Audit.RetentionDays}: use a number of days between 1 and 36500, or 0 to keep audit events forever (default 180).");
        }

        if (options.LoginMaxFailures < 1)
        {
            failures.Add($"Mnemo:Auth:LoginMaxFailures is {options.LoginMaxFailures}: use 1 or more (default 5).");
        }

        if (options.LoginMaxFailuresPerIp < 1)
        {
            failures.Add($"Mnemo:Auth:LoginMaxFailuresPerIp is {options.LoginMaxFailuresPerIp}: use 1 or more (default 20).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(List<string> failures, string setting, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            failures.Add($"Mnemo:Auth:{setting} is {value}: use a duration between {min} and {max}.");
        }
    }
}
