using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Mnemo.Auth.Accounts;

namespace Mnemo.Auth.OAuth.Session;

/// <summary>
/// Per-account sign-in throttling (OWASP ASVS 2.2.1): after <see cref="MnemoAuthOptions.LoginMaxFailures"/>
/// failures an account refuses attempts for <see cref="MnemoAuthOptions.LoginLockout"/>, doubling with each
/// further failure up to an hour. Keyed by account, not IP: hosted assistants share egress IPs, while a
/// password-guessing attack targets an account. Kept per process; with several instances the limit is per
/// instance, which still bounds guessing to a few attempts a minute.
/// </summary>
public sealed class LoginThrottle(IOptions<MnemoAuthOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    private sealed record Entry(int Failures, DateTimeOffset LockedUntil);

    /// <summary>When the account may try again, or null when it may now.</summary>
    public DateTimeOffset? LockedUntil(string userName)
    {
        var now = time.GetUtcNow();
        return _entries.TryGetValue(Key(userName), out var entry) && entry.LockedUntil > now ? entry.LockedUntil : null;
    }

    /// <summary>Above this many tracked names, expired entries are dropped (random names must not grow memory without bound).</summary>
    private const int PruneThreshold = 10_000;

    public void RecordFailure(string userName)
    {
        if (_entries.Count > PruneThreshold)
        {
            var now = time.GetUtcNow();
            foreach (var (key, entry) in _entries)
            {
                if (entry.LockedUntil <= now)
                {
                    _entries.TryRemove(key, out _);
                }
            }
        }

        var max = options.Value.LoginMaxFailures;
        var lockout = options.Value.LoginLockout;
        _entries.AddOrUpdate(Key(userName),
            _ => new Entry(1, max <= 1 ? time.GetUtcNow() + lockout : DateTimeOffset.MinValue),
            (_, e) =>
            {
                var failures = e.Failures + 1;
                if (failures < max)
                {
                    return e with { Failures = failures };
                }

                var factor = Math.Min(60, 1 << Math.Min(10, failures - max));
                var duration = TimeSpan.FromTicks(Math.Min(TimeSpan.FromHours(1).Ticks, lockout.Ticks * factor));
                return new Entry(failures, time.GetUtcNow() + duration);
            });
    }

    public void RecordSuccess(string userName) => _entries.TryRemove(Key(userName), out _);

    private static string Key(string userName) => AccountRules.Normalize(userName ?? "");
}
