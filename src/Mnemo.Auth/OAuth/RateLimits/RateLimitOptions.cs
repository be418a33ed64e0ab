namespace Mnemo.Auth.OAuth.RateLimits;

/// <summary>
/// Request limits of the authorization server's own routes, per process (several instances each allow this much).
/// Each is a token bucket: up to N requests at once, refilled at N per minute. 0 turns a limit off. Authenticated MCP
/// calls have no limit: a busy user or a benchmark is never throttled.
/// </summary>
public sealed class RateLimitOptions
{
    /// <summary>
    /// False takes the per-request limiter out of the pipeline (the metadata-document gate stays): for a deployment
    /// whose reverse proxy already limits, and for the benchmark that measures what the limiter costs. Default true.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// <c>POST /register</c> per client address (IPv6: /64). Hosted assistants register from a few shared egress
    /// addresses (Claude.ai registers twice per connect), so the default is generous: 30.
    /// </summary>
    public int RegisterPerMinute { get; set; } = 30;

    /// <summary>Sign-in, consent, setup and account pages (<c>/authorize</c>, <c>/login</c>, …) per client address. Default 120.</summary>
    public int PagesPerMinute { get; set; } = 120;

    /// <summary><c>/token</c>, <c>/revoke</c>, <c>/introspect</c> per client id (per address when the request names none). Default 300.</summary>
    public int TokenPerMinute { get; set; } = 300;

    /// <summary>Client ID metadata documents fetched per minute by the whole process (a flood of fresh https client ids cannot make Mnemo a fetcher). Default 30.</summary>
    public int MetadataFetchesPerMinute { get; set; } = 30;

    /// <summary>
    /// Loopback callers (127.0.0.0/8, ::1) skip the per-address limits. For test suites that all come from 127.0.0.1;
    /// leave it off behind a reverse proxy on the same machine unless its forwarded addresses are trusted.
    /// </summary>
    public bool ExemptLoopback { get; set; }
}
