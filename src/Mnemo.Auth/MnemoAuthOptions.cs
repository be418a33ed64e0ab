using Microsoft.Extensions.Options;

namespace Mnemo.Auth;

/// <summary>Settings of the auth module, bound from <c>Mnemo:Auth</c> (and <c>Mnemo:PublicUrl</c>). Defaults are set in code.</summary>
public sealed class MnemoAuthOptions
{
    public const string SectionName = "Mnemo:Auth";

    /// <summary>
    /// The public origin (bound from <c>Mnemo:PublicUrl</c>). Null = local mode: issuer, resource and
    /// endpoint URLs come from the request's scheme and Host (which the host limits to loopback).
    /// </summary>
    public string? PublicUrl { get; set; }

    /// <summary>Path of the protected MCP endpoint; the OAuth resource (token audience) is the origin plus this path.</summary>
    public string ResourcePath { get; set; } = "/mcp";

    /// <summary>
    /// Scopes granted when a client asks for none (ChatGPT sends none on reconnect). Empty (the default)
    /// means both. Empty rather than pre-filled because configuration binding appends to a pre-filled array.
    /// </summary>
    public string[] DefaultScopes { get; set; } = [];

    /// <summary><see cref="DefaultScopes"/>, or both scopes when none are configured.</summary>
    public IReadOnlyList<string> EffectiveDefaultScopes =>
        DefaultScopes.Length == 0 ? MnemoScopes.All : [.. DefaultScopes.Distinct(StringComparer.Ordinal)];

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

    /// <summary>How often an API key's <c>last_used_at</c> may be written (default one minute): a key used
    /// on every request costs one write per interval, not one per request.</summary>
    public TimeSpan ApiKeyLastUsedInterval { get; set; } = TimeSpan.FromMinutes(1);

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
            failures.Add($"Mnemo:PublicUrl is '{options.PublicUrl}': use an origin with no path and no trailing slash, e.g. https://mnemo.example.com.");
        }

        if (!options.ResourcePath.StartsWith('/') || options.ResourcePath.EndsWith('/') || options.ResourcePath.Contains('?') || options.ResourcePath.Contains('#'))
        {
            failures.Add($"Mnemo:Auth:ResourcePath is '{options.ResourcePath}': use an absolute path without trailing slash, e.g. /mcp.");
        }

        var unknown = options.DefaultScopes.Where(s => !MnemoScopes.All.Contains(s)).ToArray();
        if (unknown.Length > 0)
        {
            failures.Add($"Mnemo:Auth:DefaultScopes is [{string.Join(", ", options.DefaultScopes)}]: use one or both of {string.Join(", ", MnemoScopes.All)}.");
        }

        Check(failures, "AccessTokenLifetime", options.AccessTokenLifetime, TimeSpan.FromMinutes(1), TimeSpan.FromDays(1));
        Check(failures, "RefreshTokenLifetime", options.RefreshTokenLifetime, TimeSpan.FromHours(1), TimeSpan.FromDays(400));
        Check(failures, "RefreshTokenReuseLeeway", options.RefreshTokenReuseLeeway, TimeSpan.Zero, TimeSpan.FromMinutes(5));
        Check(failures, "AuthorizationCodeLifetime", options.AuthorizationCodeLifetime, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(10));
        Check(failures, "SessionLifetime", options.SessionLifetime, TimeSpan.FromMinutes(5), TimeSpan.FromDays(400));
        Check(failures, "LoginLockout", options.LoginLockout, TimeSpan.Zero, TimeSpan.FromHours(1));
        Check(failures, "LoginAccountMaxDelay", options.LoginAccountMaxDelay, TimeSpan.Zero, TimeSpan.FromMinutes(1));
        Check(failures, "ApiKeyLastUsedInterval", options.ApiKeyLastUsedInterval, TimeSpan.Zero, TimeSpan.FromDays(1));
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
