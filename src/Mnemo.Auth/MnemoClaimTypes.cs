namespace Mnemo.Auth;

/// <summary>
/// Claim types of a Mnemo caller, whichever way it authenticated (API key or OAuth access token).
/// They keep their JWT names: OpenIddict validation does no inbound claim mapping, so an API key's
/// principal is built with the same names and tools read one shape.
/// </summary>
public static class MnemoClaimTypes
{
    /// <summary>The user id (opaque, stable).</summary>
    public const string Subject = "sub";

    /// <summary>The user name.</summary>
    public const string Name = "name";

    /// <summary>The client application that acts for the user: an API key's label, or the OAuth client's name.</summary>
    public const string App = "mnemo_app";

    /// <summary>Space-separated scopes (<see cref="MnemoAuthOptions.Scopes"/>).</summary>
    public const string Scope = "scope";

    /// <summary>The id of the API key that authenticated the request (absent for OAuth tokens).</summary>
    public const string ApiKeyId = "mnemo_key_id";

    /// <summary>
    /// The account's security stamp when a browser session began. Only in the session cookie (encrypted by
    /// data protection); never given a token destination, so it cannot reach an access token.
    /// </summary>
    public const string SecurityStamp = "mnemo_stamp";
}
