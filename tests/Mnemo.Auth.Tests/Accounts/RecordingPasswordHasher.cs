using System.Collections.Concurrent;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Mnemo.Auth.Storage;

namespace Mnemo.Auth.Tests.Accounts;

/// <summary>The real hasher (with the container's options), remembering every stored hash a password was checked against.</summary>
internal sealed class RecordingPasswordHasher(IOptions<PasswordHasherOptions> options) : IPasswordHasher<UserRecord>
{
    private readonly PasswordHasher<UserRecord> _inner = new(options);

    public ConcurrentQueue<string> Verified { get; } = new();

    public string HashPassword(UserRecord user, string password) => _inner.HashPassword(user, password);

    public PasswordVerificationResult VerifyHashedPassword(UserRecord user, string hashedPassword, string providedPassword)
    {
        Verified.Enqueue(hashedPassword);
        return _inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
    }
}
