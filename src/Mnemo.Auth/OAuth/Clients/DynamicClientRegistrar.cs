using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Mnemo.Auth.Storage;
using OpenIddict.Abstractions;
using OpenIddict.EntityFrameworkCore.Models;

namespace Mnemo.Auth.OAuth.Clients;

/// <summary>What <c>POST /register</c> hands back: the client, its secret (confidential only) and a registration access token.</summary>
internal sealed record DynamicRegistration(OAuthClientInfo Info, string? ClientSecret, string RegistrationAccessToken, bool Deduplicated);

/// <summary>
/// RFC 7591 registration with the hygiene hosted assistants need. An identical registration of a public client within
/// <see cref="DeduplicationWindow"/> returns the same <c>client_id</c> (Claude.ai registers twice per connect; without
/// this every connect leaves a stray client), with a new registration access token beside the earlier ones, which stay
/// valid. Confidential clients are never de-duplicated: their secret exists only as a hash and could not be returned again.
/// </summary>
internal sealed class DynamicClientRegistrar(
    IOAuthClientRegistry registry,
    IOpenIddictApplicationManager applications,
    AuthDbContext db,
    TimeProvider time)
{
    public static readonly TimeSpan DeduplicationWindow = TimeSpan.FromMinutes(10);
    public const string FingerprintProperty = "mnemo_registration_fingerprint";

    // Two identical registrations racing each other in one process must not both create a client.
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public async Task<DynamicRegistration> RegisterAsync(string name, IReadOnlyList<string> redirectUris, bool confidential, CancellationToken cancellationToken)
    {
        var token = RegistrationAccessToken.Create();
        if (confidential)
        {
            var created = await registry.RegisterAsync(name, redirectUris, confidential: true, OAuthClientOrigin.Dynamic, cancellationToken);
            await AddPropertiesAsync(created.Info.ClientId, fingerprint: null, token, cancellationToken);
            return new DynamicRegistration(created.Info, created.ClientSecret, token, Deduplicated: false);
        }

        var fingerprint = Fingerprint(name, redirectUris);
        await Gate.WaitAsync(cancellationToken);
        try
        {
            if (await FindRecentAsync(fingerprint, cancellationToken) is { } existing)
            {
                await AddPropertiesAsync(existing.ClientId, fingerprint, token, cancellationToken);
                return new DynamicRegistration(existing, null, token, Deduplicated: true);
            }

            var created = await registry.RegisterAsync(name, redirectUris, confidential: false, OAuthClientOrigin.Dynamic, cancellationToken);
            await AddPropertiesAsync(created.Info.ClientId, fingerprint, token, cancellationToken);
            return new DynamicRegistration(created.Info, null, token, Deduplicated: false);
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>The same metadata as Mnemo stores it: the cleaned name and the redirect URIs in order of appearance.</summary>
    internal static string Fingerprint(string name, IReadOnlyList<string> redirectUris)
    {
        var canonical = JsonSerializer.Serialize(new[] { OAuthClientRegistry.CleanName(name) }.Concat(redirectUris));
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    private async Task<OAuthClientInfo?> FindRecentAsync(string fingerprint, CancellationToken cancellationToken)
    {
        // The fingerprint is hex, so it can be searched for in the properties JSON text directly; few rows carry it.
        var candidates = await db.Set<OpenIddictEntityFrameworkCoreApplication>().AsNoTracking()
            .Where(a => a.Properties != null && a.Properties.Contains(fingerprint))
            .Select(a => a.ClientId)
            .ToListAsync(cancellationToken);
        var registryImpl = (OAuthClientRegistry)registry;
        var now = time.GetUtcNow();
        foreach (var clientId in candidates.OfType<string>())
        {
            var application = await applications.FindByClientIdAsync(clientId, cancellationToken);
            if (application is null)
            {
                continue;
            }

            var properties = await applications.GetPropertiesAsync(application, cancellationToken);
            var info = await registryImpl.ToInfoAsync(application, cancellationToken);
            if (properties.TryGetValue(FingerprintProperty, out var stored) && stored.GetString() == fingerprint
                && !info.Confidential && info.CreatedAt is { } createdAt && now - createdAt < DeduplicationWindow)
            {
                return info;
            }
        }

        return null;
    }

    private async Task AddPropertiesAsync(string clientId, string? fingerprint, string token, CancellationToken cancellationToken)
    {
        var application = await applications.FindByClientIdAsync(clientId, cancellationToken)
            ?? throw new InvalidOperationException($"Client {clientId} vanished during its registration.");
        var descriptor = new OpenIddictApplicationDescriptor();
        await applications.PopulateAsync(descriptor, application, cancellationToken);
        var hashes = TokenHashes(descriptor.Properties).Append(RegistrationAccessToken.Hash(token)).TakeLast(RegistrationAccessToken.MaxKept).ToList();
        descriptor.Properties[RegistrationAccessToken.Property] = JsonSerializer.SerializeToElement(hashes);
        if (fingerprint is not null)
        {
            descriptor.Properties[FingerprintProperty] = JsonSerializer.SerializeToElement(fingerprint);
        }

        await applications.UpdateAsync(application, descriptor, cancellationToken);
    }

    internal static IEnumerable<string> TokenHashes(IReadOnlyDictionary<string, JsonElement> properties) =>
        properties.TryGetValue(RegistrationAccessToken.Property, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Select(e => e.GetString()).OfType<string>()
            : [];
}
