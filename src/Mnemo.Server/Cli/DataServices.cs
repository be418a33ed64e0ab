using System.CommandLine;
using Microsoft.Extensions.Logging;
using Mnemo.Auth;
using Mnemo.Auth.Storage;
using Mnemo.Memory;
using Mnemo.Memory.Storage;
using Mnemo.Server.Hosting;

namespace Mnemo.Server.Cli;

/// <summary>
/// The services a data verb works with: the same modules as the server, on the same database file, with no
/// web host and no port. Migrations are applied first, so a verb works on an empty or older data folder.
/// </summary>
internal static class DataServices
{
    public static async Task<DataSession> OpenAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .Build();
        var options = configuration.GetSection(MnemoServerOptions.SectionName).Get<MnemoServerOptions>() ?? new MnemoServerOptions();
        options.DataDir = parse.GetValue(CliOptions.DataDir) ?? options.DataDir;
        var database = DatabaseSetup.Resolve(configuration, options);

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(logging => logging.AddConfiguration(configuration.GetSection("Logging")).SetMinimumLevel(LogLevel.Warning));
        services.AddMnemoAccounts(AuthModuleSetup.For(configuration, database, options.PublicUrl));
        services.AddMnemoMemory(database);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });

        await AuthDatabase.MigrateAsync(provider, cancellationToken);
        await MemoryDatabase.MigrateAsync(provider, cancellationToken);
        return new DataSession(provider);
    }
}

/// <summary>One verb's services: a scope over the provider, both disposed together.</summary>
internal sealed class DataSession(ServiceProvider provider) : IAsyncDisposable
{
    private readonly AsyncServiceScope _scope = provider.CreateAsyncScope();

    public T Get<T>() where T : notnull => _scope.ServiceProvider.GetRequiredService<T>();

    public async ValueTask DisposeAsync()
    {
        await _scope.DisposeAsync();
        await provider.DisposeAsync();
    }
}
