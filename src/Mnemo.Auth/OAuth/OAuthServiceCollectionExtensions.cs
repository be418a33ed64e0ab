using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Mnemo.Auth.ApiKeys;
using Mnemo.Auth.Credentials;
using Mnemo.Auth.OAuth.Clients;
using Mnemo.Auth.OAuth.Endpoints;
using Mnemo.Auth.OAuth.Handlers;
using Mnemo.Auth.OAuth.Keys;
using Mnemo.Auth.OAuth.Resource;
using Mnemo.Auth.OAuth.Session;
using Mnemo.Auth.Storage;
using ModelContextProtocol.AspNetCore.Authentication;
using ModelContextProtocol.Authentication;
using OpenIddict.Server;
using OpenIddict.Validation.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Mnemo.Auth.OAuth;

/// <summary>The web half of the module: OpenIddict server and validation, schemes, cookies, pages, middleware and endpoints.</summary>
internal static class OAuthServiceCollectionExtensions
{
    /// <summary>Cookie scheme of the sign-in session on Mnemo's own pages (login, consent, setup).</summary>
    internal const string SessionScheme = "Mnemo.Session";

    /// <summary>Default authenticate scheme: API keys (<c>mnemo_…</c>) or OAuth access tokens, chosen by the token's shape.</summary>
    internal const string BearerScheme = "Mnemo.Bearer";

    /// <summary>
    /// The OAuth 2.1 authorization server (OpenIddict, stores in <see cref="AuthDbContext"/>), the resource-server
    /// validation of its tokens and API keys, the MCP resource-metadata scheme, the sign-in session and the Razor
    /// pages. Sets the default authenticate scheme to <see cref="BearerScheme"/> and the challenge/forbid schemes to
    /// the MCP one. <paramref name="options"/> is already validated; OpenIddict fixes issuer and lifetimes from it.
    /// </summary>
    internal static void AddAuthorizationServer(IServiceCollection services, MnemoAuthOptions options)
    {
        var secureCookies = options.PublicOrigin?.StartsWith("https://", StringComparison.Ordinal) == true
            ? CookieSecurePolicy.Always
            : CookieSecurePolicy.SameAsRequest;

        services.TryAddSingleton<OAuthUrls>();
        services.TryAddSingleton(CredentialRevision.Process);
        services.TryAddSingleton<VerifiedCredentialCache>();
        services.TryAddSingleton<RateLimits.AuthRateLimiter>();
        services.TryAddSingleton<RateLimits.MetadataFetchGate>();
        services.AddHostedService<ClientReaperService>();
        services.TryAddSingleton<LoginThrottle>();
        services.TryAddSingleton<DeviceCookie>();

        AddClientMetadataFetcher(services);
        services.TryAddSingleton<SetupToken>();
        services.AddHostedService<Accounts.DummyPasswordHashWarmup>();
        services.AddHostedService<SetupAnnouncer>();
        services.AddHttpContextAccessor();

        services.AddOpenIddict()
            .AddServer(server =>
            {
                // Endpoints at the origin root: Claude has been seen calling /authorize, /token and
                // /register on the MCP origin directly, ignoring metadata (OAUTH.md "Layout").
                server.SetAuthorizationEndpointUris("authorize")
                    .SetTokenEndpointUris("token")
                    .SetRevocationEndpointUris("revoke")
                    .SetIntrospectionEndpointUris("introspect")
                    .SetConfigurationEndpointUris(".well-known/openid-configuration", ".well-known/oauth-authorization-server");

                // Code flow only: no implicit, no password grant (OAuth 2.1 §10.1, RFC 9700 §2.1.2, §2.4).
                server.AllowAuthorizationCodeFlow().AllowRefreshTokenFlow();
                server.RequireProofKeyForCodeExchange();
                server.RegisterScopes([.. options.ScopeNames, Scopes.OfflineAccess]);
                // Which scopes a client may ask for is the server's list above, not a per-client list stored at
                // registration: a host that adds a scope must not leave earlier clients unable to ask for it.
                server.IgnoreScopePermissions();

                // The resource (audience) follows the Host in local mode, which OpenIddict's static
                // resource list cannot express: ValidateResourceIndicator replaces its check.
                server.DisableResourceValidation().IgnoreResourcePermissions();

                server.SetAuthorizationCodeLifetime(options.AuthorizationCodeLifetime)
                    .SetAccessTokenLifetime(options.AccessTokenLifetime)
                    .SetRefreshTokenLifetime(options.RefreshTokenLifetime)
                    // Rotation on every use (OpenIddict's rolling refresh tokens) with a short grace
                    // window; reuse after it revokes the whole authorization (RFC 9700 §4.14.2).
                    .SetRefreshTokenReuseLeeway(options.RefreshTokenReuseLeeway);

                if (options.PublicOrigin is { } origin)
                {
                    server.SetIssuer(new Uri(origin + "/", UriKind.Absolute));
                }

                server.UseAspNetCore()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableTokenEndpointPassthrough()
                    .EnableErrorPassthrough()
                    // Local mode runs on plain http over loopback; public deployments terminate TLS at
                    // a proxy. The public URL, not the request scheme, decides what clients see.
                    .DisableTransportSecurityRequirement();

                server.AddEventHandler(ValidateResourceIndicator.AuthorizationDescriptor)
                    .AddEventHandler(ValidateResourceIndicator.TokenDescriptor)
                    .AddEventHandler(AttachExactIssuer.AuthorizationDescriptor)
                    .AddEventHandler(AttachExactIssuer.ConfigurationDescriptor)
                    .AddEventHandler(AdvertiseMcpMetadata.Descriptor)
                    .AddEventHandler(RevokeGrantWithRefreshToken.Descriptor)
                    .AddEventHandler(ResolveClientMetadataDocument.Descriptor)
                    .AddEventHandler(RequireRedirectUri.Descriptor);
            })
            .AddValidation(validation =>
            {
                validation.UseLocalServer();
                // Token from the Authorization header only: query strings and form bodies end up in
                // logs, histories and Referer headers (RFC 6750 §2.2-2.3, §5.3; OpenIddict reads both by default).
                validation.UseAspNetCore()
                    .DisableAccessTokenExtractionFromQueryString()
                    .DisableAccessTokenExtractionFromBodyForm();
                // Revoked tokens, replay-killed families and deleted clients fail at /mcp at once,
                // not when the JWT expires (~0.3 ms per request on SQLite).
                validation.EnableTokenEntryValidation();
                validation.EnableAuthorizationEntryValidation();
                validation.AddEventHandler(AttachMcpAudience.Descriptor);
            });

        // Signing and encryption keys from the database, rotated on a schedule and reloaded when they change.
        services.AddServerKeys();
        services.Configure<OpenIddictServerOptions>(server => server.CodeChallengeMethods.Remove(CodeChallengeMethods.Plain));
        services.TryAddSingleton<ValidateResourceIndicator>();
        services.TryAddSingleton<AttachExactIssuer>();
        services.TryAddSingleton<AdvertiseMcpMetadata>();
        services.TryAddSingleton<AttachMcpAudience>();
        services.TryAddSingleton<RequireRedirectUri>();

        services.AddAuthentication()
            .AddScheme<ApiKeyAuthenticationOptions, ApiKeyAuthenticationHandler>(ApiKeyDefaults.AuthenticationScheme, null)
            // API key or OAuth access token, by the credential's shape; a credential verified moments ago is not
            // verified again until something changes (CachedBearerAuthenticationHandler).
            .AddScheme<AuthenticationSchemeOptions, CachedBearerAuthenticationHandler>(BearerScheme, "API key or OAuth access token", null)
            .AddScheme<McpAuthenticationOptions, MnemoMcpAuthenticationHandler>(McpAuthenticationDefaults.AuthenticationScheme, McpAuthenticationDefaults.DisplayName, mcp =>
            {
                mcp.ForwardAuthenticate = BearerScheme;
                mcp.Events.OnResourceMetadataRequest = WriteResourceMetadata;
            })
            .AddCookie(SessionScheme, cookie =>
            {
                cookie.Cookie.Name = "mnemo_session";
                cookie.Cookie.HttpOnly = true;
                // Lax, not Strict: a person arriving from claude.ai must be recognised, or they would
                // sign in on every connect (OAUTH.md "Sign-in session").
                cookie.Cookie.SameSite = SameSiteMode.Lax;
                // Local mode works over plain http on loopback (no Secure-only or __Host- cookies there);
                // a public https URL always gets Secure cookies, even when TLS ends at a proxy.
                cookie.Cookie.SecurePolicy = secureCookies;
                cookie.ExpireTimeSpan = options.SessionLifetime;
                cookie.SlidingExpiration = true;
                cookie.LoginPath = "/login";
                cookie.AccessDeniedPath = "/login";
                // Stamp, enabled and existing account checked on every request (SessionCookieEvents).
                cookie.EventsType = typeof(SessionCookieEvents);
            });
        services.TryAddScoped<SessionCookieEvents>();

        services.Configure<AuthenticationOptions>(auth =>
        {
            auth.DefaultAuthenticateScheme = BearerScheme;
            auth.DefaultChallengeScheme = McpAuthenticationDefaults.AuthenticationScheme;
            auth.DefaultForbidScheme = McpAuthenticationDefaults.AuthenticationScheme;
        });

        services.AddAntiforgery(antiforgery =>
        {
            antiforgery.Cookie.Name = "mnemo_antiforgery";
            antiforgery.Cookie.SecurePolicy = secureCookies;
            antiforgery.FormFieldName = "__mnemo_csrf";
        });
        // Explicit part: the host's entry assembly (a test runner, another server) may not reference this library.
        services.AddRazorPages().AddApplicationPart(typeof(OAuthServiceCollectionExtensions).Assembly);
        services.AddAuthorization();
    }

    /// <summary>
    /// The middleware, in order: CORS and 405s for the OAuth endpoints and the form check (before authentication,
    /// because OpenIddict answers its endpoints inside <c>UseAuthentication</c>), authentication, authorization, and
    /// the per-tool scope check on the MCP endpoint (403 <c>insufficient_scope</c> before dispatch).
    /// </summary>
    internal static void UseAuthorizationServer(IApplicationBuilder app)
    {
        app.UseMiddleware<OAuthEndpointCorsMiddleware>();
        app.UseMiddleware<MalformedFormMiddleware>();
        if (app.ApplicationServices.GetRequiredService<IOptions<MnemoAuthOptions>>().Value.RateLimits.Enabled)
        {
            app.UseMiddleware<RateLimits.AuthRateLimitMiddleware>();
        }

        app.UseAuthentication();
        app.UseAuthorization();
        app.UseMiddleware<McpToolScopeMiddleware>();
    }

    /// <summary>Maps <c>/register</c>, the <c>/token</c> passthrough and the Razor pages (login, consent at <c>/authorize</c>, setup, account).</summary>
    internal static void MapAuthorizationServer(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/register", RegistrationEndpoint.HandleAsync).DisableAntiforgery();
        endpoints.MapGet("/register/{clientId}", RegistrationEndpoint.ReadAsync);
        endpoints.MapPost("/token", TokenEndpoint.HandleAsync).DisableAntiforgery();
        endpoints.MapRazorPages();
    }

    /// <summary>
    /// Client ID metadata documents are fetched only through the SSRF guard. Tests replace the primary
    /// handler (and the resolver); the guard handler stays in front of whatever they plug in, and no
    /// setting turns it off.
    /// </summary>
    internal static void AddClientMetadataFetcher(IServiceCollection services)
    {
        services.TryAddSingleton<IHostAddressResolver, DnsHostAddressResolver>();
        services.TryAddTransient<SsrfGuardHandler>();
        services.TryAddScoped<ClientMetadataDocumentFetcher>();
        services.AddHttpClient(ClientMetadataDocumentFetcher.HttpClientName, http =>
            {
                http.Timeout = ClientMetadataDocumentFetcher.Timeout;
                http.MaxResponseContentBufferSize = ClientMetadataDocumentFetcher.MaxDocumentBytes;
                http.DefaultRequestHeaders.UserAgent.ParseAdd("Mnemo/1 (client-metadata-fetcher)");
            })
            .ConfigurePrimaryHttpMessageHandler(SsrfGuardHandler.CreatePrimaryHandler)
            .AddHttpMessageHandler<SsrfGuardHandler>();
    }

    private static Task WriteResourceMetadata(ResourceMetadataRequestContext context)
    {
        var path = context.HttpContext.Request.Path.Value ?? "";
        var options = context.HttpContext.RequestServices.GetRequiredService<IOptions<MnemoAuthOptions>>().Value;
        if (!path.Equals(OAuthUrls.ResourceMetadataPrefix, StringComparison.OrdinalIgnoreCase)
            && !path.Equals(OAuthUrls.ResourceMetadataPrefix + "/", StringComparison.OrdinalIgnoreCase)
            && !path.Equals(OAuthUrls.ResourceMetadataPrefix + options.ResourcePath, StringComparison.OrdinalIgnoreCase))
        {
            context.SkipHandler(); // not a resource Mnemo protects: 404
            return Task.CompletedTask;
        }

        var urls = context.HttpContext.RequestServices.GetRequiredService<OAuthUrls>();
        // RFC 9728 §2: resource is the MCP URL at the root variant too; no offline_access here (MCP 2026-07-28).
        context.ResourceMetadata = new ProtectedResourceMetadata
        {
            Resource = urls.Resource(context.HttpContext),
            AuthorizationServers = [urls.Issuer(context.HttpContext)],
            ScopesSupported = [.. options.ScopeNames],
            BearerMethodsSupported = ["header"],
            ResourceName = "Mnemo",
        };
        context.HttpContext.Response.Headers.CacheControl = "public, max-age=3600";
        return Task.CompletedTask;
    }
}
