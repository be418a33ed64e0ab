using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Mnemo.Bench.Floor;

/// <summary>
/// Mints the HS256 JWT the C# echo reference validates with the stock JwtBearer handler. Written out by hand (a header,
/// claims and an HMAC-SHA256 over them) so the bench needs no token library and the echo server no minting code.
/// </summary>
internal static class HmacJwt
{
    public static string Mint(byte[] key, string issuer, string audience, TimeSpan lifetime)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = Encode(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["alg"] = "HS256", ["typ"] = "JWT" }));
        var claims = Encode(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["iss"] = issuer,
            ["aud"] = audience,
            ["sub"] = "bench",
            ["iat"] = now,
            ["nbf"] = now,
            ["exp"] = now + (long)lifetime.TotalSeconds,
        }));
        var signature = Encode(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes($"{header}.{claims}")));
        return $"{header}.{claims}.{signature}";
    }

    private static string Encode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
