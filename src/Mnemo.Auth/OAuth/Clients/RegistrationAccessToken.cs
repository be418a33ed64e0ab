using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace Mnemo.Auth.OAuth.Clients;

/// <summary>
/// RFC 7592 registration access tokens: 256 random bits, handed out once in the registration response and kept only
/// as a SHA-256 hash in the client's row (a database reader cannot use them). A fast hash is enough for a random
/// 256-bit secret, as for API keys.
/// </summary>
internal static class RegistrationAccessToken
{
    public const string Property = "mnemo_registration_tokens";

    /// <summary>Hashes kept per client: a client re-registered (de-duplicated) many times keeps its newest ones.</summary>
    public const int MaxKept = 20;

    public static string Create() => WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string token) => WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>Constant-time against each kept hash, so the comparison says nothing about how close a guess was.</summary>
    public static bool Matches(string? presented, IEnumerable<string> hashes)
    {
        if (string.IsNullOrEmpty(presented) || presented.Length > 256)
        {
            return false;
        }

        var candidate = Encoding.UTF8.GetBytes(Hash(presented));
        var found = false;
        foreach (var hash in hashes)
        {
            found |= CryptographicOperations.FixedTimeEquals(candidate, Encoding.UTF8.GetBytes(hash));
        }

        return found;
    }
}
