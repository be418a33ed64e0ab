namespace Mnemo.Server.Hosting;

public static class HttpSecurityExtensions
{
    public const string McpCorsPolicy = "mcp";

    /// <summary>CORS for browser-based MCP clients: only origins <see cref="OriginPolicy"/> allows, and the headers they must read.</summary>
    public static IServiceCollection AddMnemoHttpSecurity(this IServiceCollection services)
    {
        services.AddSingleton<OriginPolicy>();
        services.AddHttpContextAccessor();
        services.AddSingleton<PublicUrls>();
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
        app.UseWhen(
            context => context.Request.Path.StartsWithSegments("/mcp"),
            mcp => mcp.UseMiddleware<OriginValidationMiddleware>());
        return app;
    }
}
