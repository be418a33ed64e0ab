using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Mnemo.Auth.Storage;

namespace Mnemo.Server.Tests.OAuth;

/// <summary>The real hasher with the server's options, counting how many passwords were actually checked.</summary>
internal sealed class CountingPasswordHasher(IOptions<PasswordHasherOptions> options) : IPasswordHasher<UserRecord>
{
    private readonly PasswordHasher<UserRecord> _inner = new(options);
    private int _checks;

    public int Checks => Volatile.Read(ref _checks);

    public string HashPassword(UserRecord user, string password) => _inner.HashPassword(user, password);

    public PasswordVerificationResult VerifyHashedPassword(UserRecord user, string hashedPassword, string providedPassword)
    {
        Interlocked.Increment(ref _checks);
        return _inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
    }
}
