using Microsoft.Extensions.Options;
using Mnemo.Auth;
using Mnemo.Memory;
using Mnemo.Memory.Storage;
using Mnemo.Server.Health;
using Mnemo.Storage.Health;
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
        // Now, not at the first request: the public URL and proxies are handed to the modules below.
        if (new MnemoServerOptionsValidator().Validate(null, options) is { Failed: true } invalid)
        {
            throw new OptionsValidationException(MnemoServerOptions.SectionName, typeof(MnemoServerOptions), invalid.Failures);
        }

        var database = DatabaseSetup.Resolve(builder.Configuration, options);

        // Who is calling and as whom: Mnemo.Auth's authorization server, API keys, accounts, sign-in and consent
        // pages, in the same database as the memories. The user always comes from the credential.
        builder.Services.AddMnemoAuthorizationServer(AuthModuleSetup.For(builder.Configuration, database, options.PublicUrl));
        builder.Services.AddMnemoMemory(database);

        // Host and Origin checks, forwarded headers, CORS, health.
        builder.Services.AddMnemoHttpSecurity(options);
        builder.Services.AddHealthChecks()
            .AddMnemoAuthDatabase("accounts")
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
        app.UseCors();
        seam.BeforeAuthentication?.Invoke(app);
        app.UseMnemoAuthorizationServer();
        app.UseMnemoMcpRequestGuard();

        app.MapMnemoHealth();
        app.MapMnemoAuthorizationServer();
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
