using Mnemo.Server.Mcp;

namespace Mnemo.Server.Hosting;

/// <summary>Server-wide settings, bound from the <c>Mnemo</c> configuration section.</summary>
public sealed class MnemoServerOptions
{
    public const string SectionName = "Mnemo";

    /// <summary>
    /// Public origin (scheme://host[:port], no path, no trailing slash) under which clients reach Mnemo.
    /// Unset = local mode: only loopback Host headers are answered and URLs come from the request.
    /// </summary>
    public string? PublicUrl { get; set; }

    /// <summary>Folder holding the SQLite database (and, later, other state). Default <c>./data</c>.</summary>
    public string DataDir { get; set; } = "data";

    public DatabaseSettings Database { get; set; } = new();

    public McpOptions Mcp { get; set; } = new();

    public CorsOptions Cors { get; set; } = new();

    public ForwardedHeadersSettings ForwardedHeaders { get; set; } = new();

    public sealed class DatabaseSettings
    {
        /// <summary>
        /// <c>Sqlite</c> (default: one file in <see cref="DataDir"/>) or <c>Postgres</c> (the server named by
        /// <c>ConnectionStrings:Mnemo</c>; several instances may share it).
        /// </summary>
        public Mnemo.Storage.DatabaseProvider Provider { get; set; } = Mnemo.Storage.DatabaseProvider.Sqlite;
    }

    public sealed class McpOptions
    {
        /// <summary>
        /// How MCP sessions are kept (default <see cref="McpSessionMode.Hybrid"/>): see <see cref="McpSessionMode"/>.
        /// Null: <see cref="McpSessionMode.Hybrid"/>, or <see cref="McpSessionMode.Stateless"/> when the older
        /// <see cref="Stateless"/> flag is true.
        /// </summary>
        public McpSessionMode? SessionMode { get; set; }

        /// <summary>Older spelling of <c>SessionMode = Stateless</c>, still honoured when <see cref="SessionMode"/> is not set.</summary>
        public bool Stateless { get; set; }

        public McpSessionMode EffectiveSessionMode => SessionMode ?? (Stateless ? McpSessionMode.Stateless : McpSessionMode.Hybrid);
    }

    public sealed class CorsOptions
    {
        /// <summary>Origins allowed to call <c>/mcp</c> from a browser. Empty = the public origin and loopback origins on any port.</summary>
        public string[] AllowedOrigins { get; set; } = [];
    }

    public sealed class ForwardedHeadersSettings
    {
        /// <summary>
        /// IP addresses of the reverse proxies whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> count (never the
        /// Host: URLs come from <see cref="PublicUrl"/>). Empty = no proxy is trusted.
        /// </summary>
        public string[] KnownProxies { get; set; } = [];
    }

    /// <summary>The parsed public origin, or null in local mode.</summary>
    public Uri? PublicOrigin => string.IsNullOrWhiteSpace(PublicUrl) ? null : new Uri(PublicUrl, UriKind.Absolute);
}
