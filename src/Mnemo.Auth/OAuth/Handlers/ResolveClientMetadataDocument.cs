using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Mnemo.Auth.OAuth.Clients;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Mnemo.Auth.OAuth.Handlers;

/// <summary>
/// Contains the logic responsible for turning an https <c>client_id</c> into a client: it fetches the
/// client ID metadata document (through the SSRF guard), validates it, and creates or refreshes a
/// public OpenIddict application before OpenIddict validates the request. Runs for /authorize, /token
/// and /revoke alike. A document that cannot be fetched or fails validation rejects the request with
/// <c>invalid_client</c> (at /authorize: an error page, never a redirect). The application row doubles
/// as the cache, shared by every instance, refreshed after the document's HTTP cache lifetime.
/// </summary>
internal sealed class ResolveClientMetadataDocument(
    IOpenIddictApplicationManager applications,
    IOAuthClientRegistry registry,
    ClientMetadataDocumentFetcher fetcher,
    RateLimits.MetadataFetchGate gate,
    TimeProvider time) : IOpenIddictServerHandler<ProcessAuthenticationContext>
{
    public const string ExpiresProperty = "mnemo_cimd_expires";

    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessAuthenticationContext>()
            .UseScopedHandler<ResolveClientMetadataDocument>()
            .SetOrder(OpenIddictServerHandlers.ValidateClientId.Descriptor.Order - 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ProcessAuthenticationContext context)
    {
        var clientId = context.ClientId;
        if (!ClientMetadataDocumentFetcher.IsMetadataDocumentUrl(clientId))
        {
            return;
        }

        var existing = await applications.FindByClientIdAsync(clientId!);
        if (existing is not null && !await IsExpiredAsync(existing))
        {
            return;
        }

        if (gate.RecentFailure(clientId!) is { } recent)
        {
            context.Reject(
                error: OpenIddictConstants.Errors.InvalidClient,
                description: $"The client metadata document at {clientId} was refused less than a minute ago: {recent}.");
            return;
        }

        if (!gate.TryStartFetch())
        {
            context.Reject(
                error: OpenIddictConstants.Errors.TemporarilyUnavailable,
                description: "Too many client metadata documents were fetched in the last minute; try again shortly.");
            return;
        }

        ClientMetadataDocument document;
        try
        {
            document = await fetcher.FetchAsync(clientId!, context.CancellationToken);
        }
        catch (ClientMetadataException e)
        {
            gate.RecordFailure(clientId!, e.Message);
            AuthLog.MetadataDocumentRefused(context.Logger, clientId!, e.Message);
            context.Reject(
                error: OpenIddictConstants.Errors.InvalidClient,
                description: $"The client metadata document at {clientId} was refused: {e.Message}.");
            return;
        }

        var registryImpl = (OAuthClientRegistry)registry;
        var descriptor = registryImpl.NewDescriptor(document.ClientId, document.ClientName, document.RedirectUris, confidential: false, OAuthClientOrigin.MetadataDocument);
        descriptor.Properties[ExpiresProperty] = JsonSerializer.SerializeToElement((time.GetUtcNow() + document.CacheFor).ToString("O", CultureInfo.InvariantCulture));
        try
        {
            if (existing is null)
            {
                await applications.CreateAsync(descriptor);
            }
            else
            {
                await applications.UpdateAsync(existing, descriptor);
            }
        }
        catch (Exception e) when (e is DbUpdateException or OpenIddictExceptions.ConcurrencyException)
        {
            // Another request (or instance) stored the same document at the same moment: theirs is as good.
        }
    }

    private async Task<bool> IsExpiredAsync(object application)
    {
        var properties = await applications.GetPropertiesAsync(application);
        return !properties.TryGetValue(ExpiresProperty, out var value)
            || !DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var expires)
            || expires <= time.GetUtcNow();
    }
}
