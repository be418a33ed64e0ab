using Microsoft.AspNetCore.Identity;
using Mnemo.Auth.Storage;

namespace Mnemo.Auth.Accounts;

/// <summary>
/// A hash of no one's password, made by the injected hasher. Verifying a sign-in for an unknown name
/// against it costs exactly what a wrong password of a real account costs, so response times do not
/// reveal which names exist (OWASP ASVS V2.2, user enumeration by timing). It must come from the same
/// hasher and options as real hashes: a dummy made with the library defaults (100,000 iterations) would
/// answer unknown names in half the time.
/// </summary>
internal sealed class DummyPasswordHash(IPasswordHasher<UserRecord> hasher)
{
    // Lazy with the default thread-safety mode: concurrent first sign-ins wait for one computation.
    private readonly Lazy<string> _hash = new(() => hasher.HashPassword(null!, "mnemo-dummy-" + Guid.NewGuid().ToString("N")));

    public string Value => _hash.Value;
}
