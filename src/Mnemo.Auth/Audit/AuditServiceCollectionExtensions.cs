using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

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

    /// <summary>The daily retention of the server.</summary>
    public static void AddAuditOfAuthorizationServer(this IServiceCollection services)
    {
        services.TryAddSingleton<AuditRetention>();
        services.AddHostedService(sp => sp.GetRequiredService<AuditRetention>());
    }
}
