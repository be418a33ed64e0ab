using Microsoft.AspNetCore.Identity;

namespace Mnemo.Auth.Accounts;

/// <summary>
/// The one place the password hash's parameters are set: ASP.NET Core Identity's <c>PasswordHasher</c>
/// format V3 (PBKDF2-HMAC-SHA512, 128-bit salt, 256-bit subkey), applied through
/// <see cref="PasswordHasherOptions"/> so every hasher the container builds (and the dummy hash of
/// <see cref="DummyPasswordHash"/>) uses the same work factor.
/// </summary>
internal static class PasswordHashing
{
    /// <summary>
    /// OWASP Password Storage Cheat Sheet: 210,000 iterations for PBKDF2-HMAC-SHA512 (Identity's own
    /// default is 100,000). About 100 ms per hash on one core of a small VM: slow for an offline guesser
    /// with a stolen database, still fine for a person signing in. Hashes made with fewer iterations are
    /// upgraded on the next successful sign-in (<see cref="PasswordVerificationResult.SuccessRehashNeeded"/>).
    /// </summary>
    public const int Iterations = 210_000;

    public static void Configure(PasswordHasherOptions options)
    {
        options.CompatibilityMode = PasswordHasherCompatibilityMode.IdentityV3;
        options.IterationCount = Iterations;
    }
}
