using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Mnemo.Auth.Accounts;
using Mnemo.Auth.ApiKeys;
using Mnemo.Auth.Audit;
using Mnemo.Auth.OAuth.Keys;
using Mnemo.Auth.Storage;

namespace Mnemo.Auth;

/// <summary>The storage half of the module: database, accounts, API keys and OpenIddict's stores, without a web host.</summary>
internal static class AuthServiceCollectionExtensions
{
    /// <summary>
    /// Runs the host's configuration once on a fresh instance and validates it, so wrong wiring stops start-up at
    /// the call with every problem named; the same delegate also feeds <c>IOptions&lt;MnemoAuthOptions&gt;</c>.
    /// </summary>
    internal static MnemoAuthOptions Build(IServiceCollection services, Action<MnemoAuthOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new MnemoAuthOptions();
        configure(options);
        if (new MnemoAuthOptionsValidator().Validate(null, options) is { Failed: true } invalid)
        {
            throw new OptionsValidationException(MnemoAuthOptions.SectionName, typeof(MnemoAuthOptions), invalid.Failures);
        }

        services.AddOptions<MnemoAuthOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MnemoAuthOptions>, MnemoAuthOptionsValidator>());
        return options;
    }

    /// <summary>
    /// Registers the auth database and the account, API-key and client services. Needs no web host: the
    /// <c>mnemo</c> CLI uses it on a plain <see cref="ServiceCollection"/>. Call
    /// <see cref="AuthDatabase.MigrateAsync"/> before first use.
    /// </summary>
    internal static void AddAccounts(IServiceCollection services, MnemoAuthOptions options)
    {
        AuthDbContextSetup.Register(services, options.Storage!);
        services.TryAddSingleton(TimeProvider.System);
        // PBKDF2-HMAC-SHA512 work factor for every hasher the container builds (PasswordHashing.Iterations).
        services.Configure<PasswordHasherOptions>(PasswordHashing.Configure);
        services.TryAddSingleton<IPasswordHasher<UserRecord>, PasswordHasher<UserRecord>>();
        services.TryAddSingleton<DummyPasswordHash>();
        services.TryAddScoped<IAccountService, AccountService>();
        services.TryAddScoped<IApiKeyService, ApiKeyService>();
        services.AddLogging();
        // Data-protection keys (cookies, anti-forgery, the protected server keys) in the database, so
        // every instance, every restart and the CLI read the same key ring.
        services.AddDataProtection().SetApplicationName("Mnemo").PersistKeysToDbContext<AuthDbContext>();
        services.AddServerKeyStore();
        services.AddAuditLog();

        // OpenIddict's stores live in the same context: the CLI manages OAuth clients and revokes a
        // user's grants without a web host.
        services.AddOpenIddict().AddCore(core =>
        {
            core.UseEntityFrameworkCore().UseDbContext<AuthDbContext>();
            core.ReplaceApplicationManager<OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreApplication, OAuth.Clients.MnemoApplicationManager>();
        });
        services.TryAddScoped<OAuth.Clients.IOAuthClientRegistry, OAuth.Clients.OAuthClientRegistry>();
        services.TryAddScoped<OAuth.Clients.DynamicClientRegistrar>();
        services.TryAddScoped<OAuth.Clients.ClientReaper>();
    }
}
