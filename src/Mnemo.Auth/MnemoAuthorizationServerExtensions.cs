using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Mnemo.Auth.OAuth;

namespace Mnemo.Auth;

/// <summary>
/// Mnemo.Auth in three calls: any ASP.NET Core MCP server gets an OAuth 2.1 authorization server for MCP (discovery,
/// DCR and client ID metadata documents, PKCE, resource indicators, refresh rotation, revocation, consent), local
/// accounts and API keys, and per-tool scopes on its MCP endpoint.
/// <code>
/// builder.Services.AddMnemoAuthorizationServer(auth =&gt;
/// {
///     auth.UseSqlite("Data Source=app.db");
///     auth.PublicUrl = "https://tools.example.com";        // null: local mode (loopback only)
///     auth.ResourcePath = "/mcp";
///     auth.Scopes.Add(new AuthScope("tools:read", "read your data"));
///     auth.Scopes.Add(new AuthScope("tools:write", "change your data"));
///     auth.ToolScope = ToolScopes.ByReadOnlyHint("tools:read", "tools:write");
/// });
/// app.UseMnemoAuthorizationServer();                       // authentication, authorization, scope checks
/// app.MapMnemoAuthorizationServer();                       // /register, /token, sign-in and consent pages
/// app.MapMcp("/mcp").RequireAuthorization();
/// </code>
/// Each call fails fast at start-up when the wiring is wrong (missing storage or scopes, a call left out or out of order).
/// </summary>
public static class MnemoAuthorizationServerExtensions
{
    private const string UsedKey = "Mnemo.Auth.UseMnemoAuthorizationServer";

    /// <summary>Registers the authorization server, the resource-server checks (access tokens and API keys) and the account services.</summary>
    public static IServiceCollection AddMnemoAuthorizationServer(this IServiceCollection services, Action<MnemoAuthOptions> configure)
    {
        var options = AuthServiceCollectionExtensions.Build(services, configure);
        AuthServiceCollectionExtensions.AddAccounts(services, options);
        OAuthServiceCollectionExtensions.AddAuthorizationServer(services, options);
        Audit.AuditServiceCollectionExtensions.AddAuditOfAuthorizationServer(services);
        services.AddSingleton<AuthorizationServerMarker>();
        return services;
    }

    /// <summary>
    /// Accounts, API keys and registered clients without a web host (a CLI, a migration tool). Call
    /// <see cref="AuthDatabase.MigrateAsync"/> before first use.
    /// </summary>
    public static IServiceCollection AddMnemoAccounts(this IServiceCollection services, Action<MnemoAuthOptions> configure)
    {
        var options = AuthServiceCollectionExtensions.Build(services, configure);
        AuthServiceCollectionExtensions.AddAccounts(services, options);
        return services;
    }

    /// <summary>
    /// The module's middleware, including <c>UseAuthentication()</c> and <c>UseAuthorization()</c>: call it instead of
    /// those, after anything that must see every request first (host checks, forwarded headers) and before the MCP
    /// endpoint's own middleware.
    /// </summary>
    public static IApplicationBuilder UseMnemoAuthorizationServer(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        RequireServices(app.ApplicationServices, nameof(UseMnemoAuthorizationServer));
        OAuthServiceCollectionExtensions.UseAuthorizationServer(app);
        app.Properties[UsedKey] = true;
        return app;
    }

    /// <summary>Maps the OAuth endpoints and the sign-in, consent, setup and account pages.</summary>
    public static IEndpointRouteBuilder MapMnemoAuthorizationServer(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        RequireServices(endpoints.ServiceProvider, nameof(MapMnemoAuthorizationServer));
        if (endpoints is IApplicationBuilder app && !app.Properties.ContainsKey(UsedKey))
        {
            // Without the middleware, /mcp would have no scope checks and the token endpoint no form guard.
            throw new InvalidOperationException("Call app.UseMnemoAuthorizationServer() before app.MapMnemoAuthorizationServer().");
        }

        OAuthServiceCollectionExtensions.MapAuthorizationServer(endpoints);
        return endpoints;
    }

    private static void RequireServices(IServiceProvider services, string caller)
    {
        if (services.GetService<AuthorizationServerMarker>() is null)
        {
            throw new InvalidOperationException($"Call builder.Services.AddMnemoAuthorizationServer(...) at start-up before {caller}().");
        }
    }

    /// <summary>Proof that <see cref="AddMnemoAuthorizationServer"/> ran (as MapMcp checks for AddMcpServer).</summary>
    private sealed class AuthorizationServerMarker;
}
