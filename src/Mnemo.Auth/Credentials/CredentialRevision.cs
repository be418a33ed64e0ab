namespace Mnemo.Auth.Credentials;

/// <summary>
/// A process-wide counter of changes to the module's tables. <see cref="VerifiedCredentialCache"/> keeps a verified
/// credential only while the counter has not moved since the verification began, so a revocation, a disabled account,
/// a revoked API key or a deleted client made through this process ends the cached credential before the next call.
/// One per process (<see cref="Process"/>) rather than per container: a second host or a CLI verb run in the same
/// process writes through another container, and must invalidate too. Tests make their own.
/// </summary>
internal sealed class CredentialRevision
{
    private long _current;

    public static CredentialRevision Process { get; } = new();

    public long Current => Volatile.Read(ref _current);

    public void Advance() => Interlocked.Increment(ref _current);
}
