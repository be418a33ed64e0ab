using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Mnemo.Auth;
using Mnemo.Auth.ApiKeys;
using Mnemo.Auth.OAuth;
using Mnemo.Auth.Storage;
using Mnemo.Memory;
using Mnemo.Memory.Storage;
using Mnemo.Server.Health;
using Mnemo.Server.Mcp;

namespace Mnemo.Server.Hosting;

/// <summary>The composition root of <c>mnemo serve</c>: one list of features, each added and mapped by its own extension.</summary>
public static class MnemoHost
{
    public static Task<WebApplication> CreateAsync(ServeSettings settings, Action<WebApplicationBuilder>? configure = null, CancellationToken cancellationToken = default) =>
        CreateAsync(settings, configure, MnemoHostSeam.None, cancellationToken);

    /// <summary>The same host with a test host's additions (<see cref="MnemoHostSeam"/>); internal, so nothing shipped can use it.</summary>
    internal static async Task<WebApplication> CreateAsync(ServeSettings settings, Action<WebApplicationBuilder>? configure, MnemoHostSeam seam, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = [.. settings.ConfigurationArgs],
            // appsettings.json ships next to the executable; the data folder stays relative to where mnemo runs.
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseUrls(settings.Urls);
        if (settings.DataDir is not null)
        {
            builder.Configuration[$"{MnemoServerOptions.SectionName}:DataDir"] = settings.DataDir;
        }

        configure?.Invoke(builder);

        // Options, validated before the first request (a bad PublicUrl stops start-up with the fix in the message).
        builder.Services.AddOptions<MnemoServerOptions>().BindConfiguration(MnemoServerOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<MnemoServerOptions>, MnemoServerOptionsValidator>();
        var options = builder.Configuration.GetSection(MnemoServerOptions.SectionName).Get<MnemoServerOptions>() ?? new MnemoServerOptions();
        var connectionString = DataDirectory.ConnectionString(options.DataDir);

        // Storage: accounts and keys (Auth), memories and search (Memory), in one SQLite file.
        builder.Services.AddMnemoAuth(connectionString, builder.Configuration);
        builder.Services.AddMnemoMemory(connectionString);

        // Who is calling: API keys and OAuth access tokens (Mnemo.Auth's authorization server, sign-in
        // and consent pages); the user always comes from the credential.
        builder.Services.AddAuthentication().AddMnemoApiKeys();
        builder.Services.AddMnemoOAuth(builder.Configuration);
        builder.Services.AddAuthorization();

        // Host and Origin checks, CORS, health.
        builder.Services.AddMnemoHttpSecurity();
        builder.Services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck<AuthDbContext>>("accounts")
            .AddCheck<DatabaseHealthCheck<MemoryDbContext>>("memories")
            // Memory module (issue 4): semantic search state; degraded = keyword-only, still ready.
            .AddCheck<SearchHealthCheck>("search");
        builder.Services.AddProblemDetails();

        // MCP.
        var mcp = builder.Services.AddMnemoMcp(options);
        seam.Mcp?.Invoke(mcp);

        var app = builder.Build();

        // Schema first: a server that answers before its tables exist would fail requests instead of start-up.
        await AuthDatabase.MigrateAsync(app.Services, cancellationToken);
        await MemoryDatabase.MigrateAsync(app.Services, cancellationToken);

        app.UseExceptionHandler(error => error.Run(MalformedRequests.WriteErrorAsync));
        app.UseMnemoHttpSecurity();
        app.UseMnemoOAuth();
        app.UseCors();
        app.UseAuthentication();
        seam.AfterAuthentication?.Invoke(app);

        app.UseAuthorization();
        app.UseMnemoMcpRequestGuard();
        app.UseMnemoMcpScopes();

        app.MapMnemoHealth();
        app.MapMnemoOAuth();
        app.MapMnemoMcp();
        return app;
    }

    /// <summary>After start-up: why the addresses Kestrel bound do not fit the configured mode, or null (<see cref="LocalModeBinding"/>).</summary>
    public static string? BindingProblem(WebApplication app, bool conformance = false)
    {
        var addresses = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses ?? [];
        var options = app.Services.GetRequiredService<IOptions<MnemoServerOptions>>().Value;
        return LocalModeBinding.Problem(addresses, options.PublicOrigin, conformance);
    }
}
