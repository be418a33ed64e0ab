using Mnemo.Auth;
using Mnemo.Server.Mcp;
using Mnemo.Storage;

namespace Mnemo.Server.Hosting;

/// <summary>
/// How Mnemo configures its auth module, in one place for the server and the CLI: its tunables from
/// <c>Mnemo:Auth</c> (and the audit log's from <c>Mnemo:Audit</c>), the database, the public URL Mnemo owns, and the memory scopes with their tool map.
/// </summary>
internal static class AuthModuleSetup
{
    public static Action<MnemoAuthOptions> For(IConfiguration configuration, DatabaseConnection database, string? publicUrl) => auth =>
    {
        configuration.GetSection(MnemoAuthOptions.SectionName).Bind(auth);
        // The audit log is Mnemo's record of the whole server's security events, not a tunable of the OAuth server,
        // so its settings have their own section: Mnemo:Audit:RetentionDays.
        configuration.GetSection("Mnemo:Audit").Bind(auth.Audit);
        auth.UseDatabase(database);
        auth.PublicUrl = string.IsNullOrWhiteSpace(publicUrl) ? null : publicUrl;
        auth.ResourcePath = McpEndpointExtensions.McpPath;
        auth.Scopes.Clear();
        auth.Scopes.AddRange(MemoryScopes.All);
        auth.ToolScope = ToolScopes.ByReadOnlyHint(MemoryScopes.Read, MemoryScopes.Write);
    };
}
