namespace Mnemo.Auth.OAuth.Session;

/// <summary>
/// The throttle's answer to one sign-in attempt. Refused (<see cref="LockedUntil"/> set): answer 429 and
/// check no password. Allowed: wait <see cref="Delay"/>, check the password, and on success hand the
/// attempt back to <see cref="LoginThrottle.Succeeded"/>; a failure needs no call, it is already counted.
/// </summary>
internal sealed record LoginAttempt(DateTimeOffset? LockedUntil, TimeSpan Delay)
{
    public bool Allowed => LockedUntil is null;

    /// <summary>What this attempt added to each counter, so a success can take exactly that back.</summary>
    internal IReadOnlyList<LoginReservation> Reservations { get; init; } = [];
}

/// <summary>One counter this attempt incremented, and the lock it set there (to lift it again on success).</summary>
internal sealed record LoginReservation(string Key, DateTimeOffset LockedBefore, DateTimeOffset LockedAfter);
