namespace Mnemo.Server.Tests.Infrastructure;

/// <summary>
/// A clock tests move by hand (registered as the server's <see cref="TimeProvider"/>): months of key rotation or audit
/// retention pass in a test without sleeping. Starts at the real time so cookies and data-protection keys look normal.
/// </summary>
public sealed class ManualClock : TimeProvider
{
    private DateTimeOffset _now = DateTimeOffset.UtcNow;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
