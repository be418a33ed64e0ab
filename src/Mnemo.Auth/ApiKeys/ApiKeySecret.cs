using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Mnemo.Auth.ApiKeys;

/// <summary>How API key secrets and ids are made and hashed.</summary>
internal static class ApiKeySecret
{
    /// <summary>Recognizable prefix: secret scanners (and people) can tell a leaked Mnemo key at a glance.</summary>
    public const string Prefix = "mnemo_";

    public const string IdPrefix = "key_";

    private const int SecretBytes = 32;
    private const string IdAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary><c>mnemo_</c> + base64url of 32 random bytes (256 bits from the OS CSPRNG).</summary>
    public static string NewSecret() => Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(SecretBytes));

    /// <summary><c>key_</c> + 8 random characters: a public handle to list and revoke a key by.</summary>
    public static string NewId() => IdPrefix + RandomNumberGenerator.GetString(IdAlphabet, 8);

    /// <summary>
    /// SHA-256 of the whole secret, lower-case hex. A fast unsalted hash is right here, unlike for
    /// passwords: the secret has 256 bits of entropy, so neither a dictionary nor brute force can
    /// invert the stored hash, and salting (which defeats precomputed tables of *guessable* inputs)
    /// adds nothing. A fast hash also allows lookup by hash, so validation is one indexed query.
    /// </summary>
    public static string Hash(string secret) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>Cheap shape check before touching the database: prefix and a plausible length.</summary>
    public static bool LooksLikeKey(string? candidate) =>
        candidate is { Length: > 6 and <= 128 } && candidate.StartsWith(Prefix, StringComparison.Ordinal);
}
