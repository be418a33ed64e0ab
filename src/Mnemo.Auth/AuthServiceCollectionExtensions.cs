using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Mnemo.Auth.Accounts;
using Mnemo.Auth.ApiKeys;
using Mnemo.Auth.Storage;
using Mnemo.Storage.Sqlite;

namespace Mnemo.Auth;

public static class AuthServiceCollectionExtensions
{
    /// <summary>
    /// Registers the auth database and the account and API-key services. Needs no web host: the
    /// <c>mnemo</c> CLI calls it on a plain <see cref="ServiceCollection"/>. Call
    /// <see cref="AuthDatabase.MigrateAsync"/> before first use.
    /// </summary>
    /// <param name="connectionString">An SQLite connection string, e.g. <c>Data Source=/var/lib/mnemo/mnemo.db</c>.</param>
    /// <param name="configuration">Binds <c>Mnemo:Auth</c> when given; defaults otherwise.</param>
    public static IServiceCollection AddMnemoAuth(this IServiceCollection services, string connectionString, IConfiguration? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);

        var options = services.AddOptions<MnemoAuthOptions>();
        if (configuration is not null)
        {
            options.Bind(configuration.GetSection(MnemoAuthOptions.SectionName));
            options.Configure(o => o.PublicUrl ??= configuration["Mnemo:PublicUrl"]);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MnemoAuthOptions>, MnemoAuthOptionsValidator>());

        services.AddDbContext<AuthDbContext>(db => ConfigureDbContext(db, connectionString));
        services.TryAddSingleton(TimeProvider.System);
        // PBKDF2-HMAC-SHA512 work factor for every hasher the container builds (PasswordHashing.Iterations).
        services.Configure<PasswordHasherOptions>(PasswordHashing.Configure);
        services.TryAddSingleton<IPasswordHasher<UserRecord>, PasswordHasher<UserRecord>>();
        services.TryAddSingleton<DummyPasswordHash>();
        services.TryAddScoped<IAccountService, AccountService>();
        services.TryAddScoped<IApiKeyService, ApiKeyService>();
        services.AddLogging();

        // OpenIddict's stores live in the same context: the CLI manages OAuth clients and revokes a
        // user's grants without a web host.
        services.AddOpenIddict().AddCore(core =>
        {
            core.UseEntityFrameworkCore().UseDbContext<AuthDbContext>();
            core.ReplaceApplicationManager<OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreApplication, OAuth.Clients.MnemoApplicationManager>();
        });
        services.TryAddScoped<OAuth.Clients.IOAuthClientRegistry, OAuth.Clients.OAuthClientRegistry>();
        return services;
    }

    /// <summary>
    /// Adds the <see cref="ApiKeyDefaults.AuthenticationScheme"/> scheme: <c>Authorization: Bearer mnemo_…</c>.
    /// Requires <see cref="AddMnemoAuth"/>.
    /// </summary>
    public static AuthenticationBuilder AddMnemoApiKeys(this AuthenticationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddScheme<ApiKeyAuthenticationOptions, ApiKeyAuthenticationHandler>(ApiKeyDefaults.AuthenticationScheme, null);
    }

    /// <summary>The one place the provider is chosen (SQLite today; PostgreSQL later through the same method).</summary>
    internal static void ConfigureDbContext(DbContextOptionsBuilder builder, string connectionString)
    {
        builder.UseSqlite(connectionString, sqlite =>
        {
            sqlite.MigrationsHistoryTable(AuthDbContext.MigrationsHistoryTable);
            sqlite.MigrationsAssembly(typeof(AuthDbContext).Assembly.GetName().Name);
        });
        builder.AddInterceptors(SqliteConnectionInterceptor.For(SqliteConnectionInterceptor.DefaultBusyTimeout));
    }
}
