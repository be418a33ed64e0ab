using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Mnemo.Auth.OAuth.Clients;

/// <summary>A validated client ID metadata document and how long it may be cached.</summary>
internal sealed record ClientMetadataDocument(string ClientId, string ClientName, IReadOnlyList<string> RedirectUris, TimeSpan CacheFor);

/// <summary>
/// Fetches and validates client ID metadata documents (draft-ietf-oauth-client-id-metadata-document,
/// MCP 2025-11-25): through the SSRF-guarded client, 200 only (no redirects), a 64 KB cap, a 5 s
/// budget, <c>client_id</c> equal to the URL, a public client (no secret, auth method <c>none</c>) and
/// redirect URIs that pass <see cref="RedirectUriPolicy"/>.
/// </summary>
internal sealed class ClientMetadataDocumentFetcher(IHttpClientFactory clients)
{
    public const string HttpClientName = "Mnemo.ClientMetadataDocuments";
    public const int MaxDocumentBytes = 64 * 1024;
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan DefaultCacheTime = TimeSpan.FromHours(1);

    /// <summary>True for client ids Mnemo treats as metadata document URLs (https with a path).</summary>
    public static bool IsMetadataDocumentUrl(string? clientId) =>
        clientId is { Length: <= 2000 }
        && clientId.StartsWith("https://", StringComparison.Ordinal)
        && Uri.TryCreate(clientId, UriKind.Absolute, out var uri)
        && uri.AbsolutePath.Length > 1;

    /// <summary>The document, or throws <see cref="ClientMetadataException"/> saying why it is refused.</summary>
    public async Task<ClientMetadataDocument> FetchAsync(string url, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        var http = clients.CreateClient(HttpClientName);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        }
        catch (SsrfRefusedException e)
        {
            throw new ClientMetadataException($"refused to fetch it: {e.Message}");
        }
        catch (HttpRequestException e) when (e.InnerException is SsrfRefusedException inner)
        {
            throw new ClientMetadataException($"refused to fetch it: {inner.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ClientMetadataException("fetching it took longer than 5 seconds");
        }
        catch (HttpRequestException e)
        {
            throw new ClientMetadataException($"fetching it failed ({e.HttpRequestError})");
        }

        using (response)
        {
            if (response.StatusCode != HttpStatusCode.OK)
            {
                // Redirects are not followed: the document must live at the client id itself.
                throw new ClientMetadataException($"it answered HTTP {(int)response.StatusCode}, not 200");
            }

            if (response.Content.Headers.ContentLength is > MaxDocumentBytes)
            {
                throw new ClientMetadataException($"it is larger than {MaxDocumentBytes} bytes");
            }

            byte[] body;
            try
            {
                body = await ReadCappedAsync(await response.Content.ReadAsStreamAsync(timeout.Token), timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new ClientMetadataException("reading it took longer than 5 seconds");
            }

            return Parse(url, body, CacheLifetime(response.Headers.CacheControl));
        }
    }

    private static async Task<byte[]> ReadCappedAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxDocumentBytes)
            {
                throw new ClientMetadataException($"it is larger than {MaxDocumentBytes} bytes");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    internal static ClientMetadataDocument Parse(string url, byte[] body, TimeSpan cacheFor)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(body);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new ClientMetadataException("it is not JSON");
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new ClientMetadataException("it is not a JSON object");
        }

        // The document must name itself: otherwise any URL could claim another client's identity.
        if (!root.TryGetProperty("client_id", out var id) || id.ValueKind != JsonValueKind.String || !string.Equals(id.GetString(), url, StringComparison.Ordinal))
        {
            throw new ClientMetadataException("its client_id is not exactly its own URL");
        }

        if (root.TryGetProperty("client_secret", out _))
        {
            throw new ClientMetadataException("it contains a client_secret (a public document cannot hold a secret)");
        }

        if (root.TryGetProperty("token_endpoint_auth_method", out var method) && method.ValueKind == JsonValueKind.String && method.GetString() != "none")
        {
            throw new ClientMetadataException($"its token_endpoint_auth_method is '{method.GetString()}'; Mnemo accepts metadata-document clients with 'none' only");
        }

        if (!root.TryGetProperty("redirect_uris", out var uris) || uris.ValueKind != JsonValueKind.Array || uris.GetArrayLength() is 0 or > 10)
        {
            throw new ClientMetadataException("it lists no redirect_uris (or more than 10)");
        }

        List<string> redirectUris = [];
        foreach (var uri in uris.EnumerateArray())
        {
            var value = uri.ValueKind == JsonValueKind.String ? uri.GetString() : null;
            if (RedirectUriPolicy.Check(value) is { } problem)
            {
                throw new ClientMetadataException($"a redirect URI is refused: {problem}");
            }

            redirectUris.Add(value!);
        }

        var name = root.TryGetProperty("client_name", out var n) && n.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(n.GetString())
            ? n.GetString()!
            : new Uri(url).Host;
        return new ClientMetadataDocument(url, name, redirectUris, cacheFor);
    }

    /// <summary>HTTP caching (RFC 9111) bounded to 5 minutes … 24 hours; no-store/no-cache means refetch after 5 minutes.</summary>
    internal static TimeSpan CacheLifetime(CacheControlHeaderValue? cacheControl)
    {
        var min = TimeSpan.FromMinutes(5);
        var max = TimeSpan.FromHours(24);
        if (cacheControl is null)
        {
            return DefaultCacheTime;
        }

        if (cacheControl.NoStore || cacheControl.NoCache)
        {
            return min;
        }

        var maxAge = cacheControl.MaxAge ?? DefaultCacheTime;
        return maxAge < min ? min : maxAge > max ? max : maxAge;
    }
}

internal sealed class ClientMetadataException(string reason) : Exception(reason);
