using System.Security.Cryptography;

namespace Mnemo.Auth.Accounts;

/// <summary>Makes the values browser sessions are bound to (<see cref="Storage.UserRecord.SecurityStamp"/>).</summary>
internal static class SecurityStamp
{
    /// <summary>128 random bits as lower-case hex: unguessable, so an old session can never match a new stamp by chance.</summary>
    public static string New() => RandomNumberGenerator.GetHexString(32, lowercase: true);
}
