using Microsoft.AspNetCore.HttpOverrides;

namespace Mnemo.Server.Hosting;

public static class HttpSecurityExtensions
{
    public const string McpCorsPolicy = "mcp";

    /// <summary>
    /// CORS for browser-based MCP clients (only origins <see cref="OriginPolicy"/> allows, and the headers they must
    /// read), and forwarded headers from the proxies named in <c>Mnemo:ForwardedHeaders:KnownProxies</c> only (scheme
    /// and client address; never the Host: URLs come from <c>Mnemo:PublicUrl</c>). None named = none trusted.
    /// </summary>
    public static IServiceCollection AddMnemoHttpSecurity(this IServiceCollection services, MnemoServerOptions options)
    {
        services.AddSingleton<OriginPolicy>();
        services.AddHttpContextAccessor();
        services.Configure<ForwardedHeadersOptions>(forwarded =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in options.ForwardedHeaders.KnownProxies)
            {
                forwarded.KnownProxies.Add(System.Net.IPAddress.Parse(proxy)); // validated at start-up
            }
        });
        services.AddCors();
        // The policy needs OriginPolicy (a service), so it is added once that service can be resolved.
        services.AddOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>()
            .Configure<OriginPolicy>((cors, originPolicy) => cors.AddPolicy(McpCorsPolicy, policy => policy
                .SetIsOriginAllowed(originPolicy.IsAllowed)
                .AllowAnyHeader()
                .AllowAnyMethod()
                .WithExposedHeaders("WWW-Authenticate", "Mcp-Session-Id", "Mcp-Protocol-Version")));
        return services;
    }

    /// <summary>Host check for every route; Origin check for the MCP endpoint.</summary>
    public static IApplicationBuilder UseMnemoHttpSecurity(this IApplicationBuilder app)
    {
        app.UseMiddleware<HostValidationMiddleware>();
        if (app.ApplicationServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<ForwardedHeadersOptions>>().Value.KnownProxies.Count > 0)
        {
            app.UseForwardedHeaders();
        }

        app.UseWhen(
            context => context.Request.Path.StartsWithSegments("/mcp"),
            mcp => mcp.UseMiddleware<OriginValidationMiddleware>());
        return app;
    }
}
