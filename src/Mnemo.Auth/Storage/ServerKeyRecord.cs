namespace Mnemo.Auth.Storage;

/// <summary>
/// A row of <c>oauth_server_keys</c>: an RSA key the OAuth server signs or encrypts tokens with, kept in
/// the database so restarts and several instances use the same keys. <see cref="ProtectedKey"/> is the
/// PKCS#8 private key protected with ASP.NET Core data protection. A row exists from the moment the key is
/// published until every token it protected has expired; then it is deleted (<see cref="OAuth.Keys.ServerKeySchedule"/>).
/// </summary>
internal sealed class ServerKeyRecord
{
    /// <summary>The key id (<c>kid</c>), public: it is in the JWKS and in every token's header.</summary>
    public required string Id { get; set; }

    /// <summary><c>sig</c> or <c>enc</c>.</summary>
    public required string Use { get; set; }

    public required string ProtectedKey { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>From when new tokens are signed (or encrypted) with this key; until then it is only published.</summary>
    public DateTimeOffset ActiveFrom { get; set; }
}
