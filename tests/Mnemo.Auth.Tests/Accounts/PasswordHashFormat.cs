using System.Buffers.Binary;

namespace Mnemo.Auth.Tests.Accounts;

/// <summary>Reads the header of an ASP.NET Core Identity V3 hash: 0x01, PRF, iteration count, salt length (big-endian uint32s).</summary>
internal static class PasswordHashFormat
{
    /// <summary>1 = HMAC-SHA256, 2 = HMAC-SHA512 (<c>KeyDerivationPrf</c>).</summary>
    public static int Prf(string hash) => (int)BinaryPrimitives.ReadUInt32BigEndian(V3(hash).AsSpan(1, 4));

    public static int Iterations(string hash) => (int)BinaryPrimitives.ReadUInt32BigEndian(V3(hash).AsSpan(5, 4));

    private static byte[] V3(string hash)
    {
        var bytes = Convert.FromBase64String(hash);
        Assert.Equal(0x01, bytes[0]); // format marker of Identity V3
        return bytes;
    }
}
