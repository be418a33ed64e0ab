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
        var (configuration, options) = Configuration(parse);
        var database = DatabaseSetup.Resolve(configuration, options);
        var provider = Build(configuration, options, database);

        await AuthDatabase.MigrateAsync(provider, cancellationToken);
        await MemoryDatabase.MigrateAsync(provider, cancellationToken);
        return new DataSession(provider);
    }

    /// <summary>The configuration every verb reads (appsettings.json, then the environment), and the server options with <c>--data-dir</c> applied.</summary>
    public static (IConfiguration Configuration, MnemoServerOptions Options) Configuration(ParseResult parse)
    {
        var configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .Build();
        var options = configuration.GetSection(MnemoServerOptions.SectionName).Get<MnemoServerOptions>() ?? new MnemoServerOptions();
        options.DataDir = parse.GetValue(CliOptions.DataDir) ?? options.DataDir;
        return (configuration, options);
    }

    /// <summary>Both modules on <paramref name="database"/>, as the server wires them, without migrating anything.</summary>
    public static ServiceProvider Build(IConfiguration configuration, MnemoServerOptions options, Mnemo.Storage.DatabaseConnection database)
    {
        var services = new ServiceCollection();
        services.AddSingleton(configuration);
        services.AddLogging(logging => logging.AddConfiguration(configuration.GetSection("Logging")).SetMinimumLevel(LogLevel.Warning));
        services.AddMnemoAccounts(AuthModuleSetup.For(configuration, database, options.PublicUrl));
        services.AddMnemoMemory(database);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
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
