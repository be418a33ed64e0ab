namespace Mnemo.Auth.OAuth.Clients;

/// <summary>How a client came to exist.</summary>
public enum OAuthClientOrigin
{
    /// <summary><c>mnemo clients add</c>.</summary>
    Cli,

    /// <summary>RFC 7591 dynamic client registration.</summary>
    Dynamic,

    /// <summary>A client ID metadata document (the client id is an https URL).</summary>
    MetadataDocument,
}

/// <summary>A client's public facts. Its secret (confidential clients) exists only as a hash.</summary>
public sealed record OAuthClientInfo(string ClientId, string Name, bool Confidential, IReadOnlyList<string> RedirectUris, OAuthClientOrigin Origin, DateTimeOffset? CreatedAt);

/// <summary>A client just registered: <see cref="ClientSecret"/> (confidential only) is the only plain-text copy.</summary>
public sealed record RegisteredOAuthClient(OAuthClientInfo Info, string? ClientSecret);

/// <summary>Thrown for registration input that breaks the policy; <see cref="Error"/> is the RFC 7591 §3.2.2 error code.</summary>
public sealed class OAuthClientException(string error, string message) : Exception(message)
{
    public string Error { get; } = error;
}

/// <summary>OAuth clients: registration (CLI and RFC 7591), listing and deletion.</summary>
public interface IOAuthClientRegistry
{
    Task<RegisteredOAuthClient> RegisterAsync(string name, IReadOnlyList<string> redirectUris, bool confidential, OAuthClientOrigin origin, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<OAuthClientInfo>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Deletes a client and revokes every grant and token it holds; false when unknown.</summary>
    Task<bool> DeleteAsync(string clientId, CancellationToken cancellationToken = default);
}
