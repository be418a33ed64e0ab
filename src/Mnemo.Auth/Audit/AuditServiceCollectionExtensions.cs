using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Mnemo.Auth.Audit.Handlers;

namespace Mnemo.Auth.Audit;

/// <summary>The audit log, wired in one place.</summary>
internal static class AuditServiceCollectionExtensions
{
    /// <summary>Writing and reading the log, without a web host (the CLI records what its verbs do, and reads the log).</summary>
    public static void AddAuditLog(this IServiceCollection services)
    {
        services.TryAddSingleton<IAuditLog, AuditLog>();
        services.TryAddScoped<UserPseudonym>();
        services.TryAddScoped<IAuditTrail, AuditTrail>();
    }

    /// <summary>The OAuth server's events (tokens issued, refreshed, replayed, revoked) and the daily retention.</summary>
    public static void AddAuditOfAuthorizationServer(this IServiceCollection services)
    {
        services.TryAddSingleton<AuditTokenIssued>();
        services.TryAddSingleton<AuditRevocation>();
        services.AddOpenIddict().AddServer(server => server
            .AddEventHandler(AuditTokenIssued.Descriptor)
            .AddEventHandler(AuditTokenReuse.Descriptor)
            .AddEventHandler(AuditRevocation.Descriptor));
        services.TryAddSingleton<AuditRetention>();
        services.AddHostedService(sp => sp.GetRequiredService<AuditRetention>());
    }
}
