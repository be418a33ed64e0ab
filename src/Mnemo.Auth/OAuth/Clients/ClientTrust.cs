namespace Mnemo.Auth.OAuth.Clients;

/// <summary>
/// Whether Mnemo can vouch for where an authorization response goes, and the words the consent page uses for it.
/// Only the server's owner (CLI registration) or a client ID metadata document whose redirect URI is on the document's
/// own host ties the redirect to an identity; anyone can register anything by DCR, so those are unverified (RFC 9700
/// §4.11.2 — errors for them are shown on Mnemo's page rather than sent to the redirect URI).
/// </summary>
internal sealed record ClientTrust(bool IsVerified, string Label)
{
    public static ClientTrust Of(string? origin, string clientId, Uri redirectUri)
    {
        if (origin == nameof(OAuthClientOrigin.Cli))
        {
            return new ClientTrust(true, "registered by this server's owner");
        }

        if (origin == nameof(OAuthClientOrigin.MetadataDocument) && Uri.TryCreate(clientId, UriKind.Absolute, out var document))
        {
            var documentHost = HostDisplay.Of(document);
            return string.Equals(document.IdnHost, redirectUri.IdnHost, StringComparison.OrdinalIgnoreCase)
                ? new ClientTrust(true, $"verified: {documentHost}")
                : new ClientTrust(false, $"unverified: described by {documentHost}, but it returns to another address");
        }

        return new ClientTrust(false, "unverified: it registered itself");
    }
}
