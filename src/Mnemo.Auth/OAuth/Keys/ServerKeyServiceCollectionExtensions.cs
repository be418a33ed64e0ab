using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenIddict.Server;
using OpenIddict.Validation;

namespace Mnemo.Auth.OAuth.Keys;

/// <summary>The OAuth server's rotating keys, wired in one place.</summary>
internal static class ServerKeyServiceCollectionExtensions
{
    /// <summary>The store of keys: also used without a web host (<c>mnemo signing-keys</c>).</summary>
    public static void AddServerKeyStore(this IServiceCollection services)
    {
        services.TryAddScoped<ServerKeyStore>();
        services.TryAddScoped<ISigningKeyService>(sp => sp.GetRequiredService<ServerKeyStore>());
    }

    /// <summary>The ring, OpenIddict's credentials from it, their reload, the per-token key choice and the schedule.</summary>
    public static void AddServerKeys(this IServiceCollection services)
    {
        services.AddServerKeyStore();
        services.TryAddSingleton<ServerKeyRing>();
        services.AddSingleton<IConfigureOptions<OpenIddictServerOptions>, PersistedServerKeys>();
        services.AddSingleton<IOptionsChangeTokenSource<OpenIddictServerOptions>, ServerOptionsKeyChangeToken>();
        services.AddSingleton<IOptionsChangeTokenSource<OpenIddictValidationOptions>, ValidationOptionsKeyChangeToken>();
        services.TryAddSingleton<UseActiveServerKeys>();
        services.AddOpenIddict().AddServer(server => server
            // The public keys at a stable URL (RFC 8414 jwks_uri): a new key appears here a lead time before it signs,
            // and a retired one disappears only after every token it signed has expired.
            .SetJsonWebKeySetEndpointUris(".well-known/jwks")
            .AddEventHandler(UseActiveServerKeys.Descriptor));
        services.AddHostedService<ServerKeyWarmup>();
        services.AddHostedService<ServerKeyMaintenance>();
    }
}
