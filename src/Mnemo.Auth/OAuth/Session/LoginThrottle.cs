using Microsoft.Extensions.Options;
using Mnemo.Auth.Accounts;

namespace Mnemo.Auth.OAuth.Session;

/// <summary>
/// Password-guessing defence for the sign-in form (OWASP ASVS V2.2.1), with three counters of failures:
/// <list type="bullet">
/// <item><b>account + client network</b>: after <see cref="MnemoAuthOptions.LoginMaxFailures"/> that
/// network may not try that account for <see cref="MnemoAuthOptions.LoginLockout"/>, doubling with each
/// further failure, at most an hour.</item>
/// <item><b>client network</b>, any account: the same after <see cref="MnemoAuthOptions.LoginMaxFailuresPerIp"/>
/// (one address trying many names, "password spraying").</item>
/// <item><b>account</b>, any network: never locks — otherwise anyone could keep the owner out — but
/// slows every attempt by up to <see cref="MnemoAuthOptions.LoginAccountMaxDelay"/>, except from a browser
/// that signed in to that account before (<see cref="DeviceCookie"/>).</item>
/// </list>
/// Each allowed attempt is counted as a failure <i>before</i> its password is checked, in the same lock as
/// the check of the limits, and taken back on success: however many guesses arrive at once, no more than
/// the limit reach the (slow) password hash. Unknown and existing names are counted alike, so the throttle
/// does not reveal which names exist.
/// <para>
/// Counters live in this process only: with several instances each enforces its own limits (a guesser
/// behind a load balancer gets the limit once per instance). Memory is bounded: at most
/// <see cref="DefaultCapacity"/> counters; expired ones are dropped first, then the oldest unlocked ones.
/// </para>
/// </summary>
internal sealed class LoginThrottle
{
    /// <summary>Counters kept at most (about 150 bytes each: ~15 MB at the cap).</summary>
    public const int DefaultCapacity = 100_000;

    /// <summary>Longest lock, however many failures.</summary>
    internal static readonly TimeSpan MaxLockout = TimeSpan.FromHours(1);

    /// <summary>A counter is forgotten this long after its last failure or the end of its lock.</summary>
    internal static readonly TimeSpan ForgetAfter = TimeSpan.FromHours(1);

    private readonly IOptions<MnemoAuthOptions> _options;
    private readonly TimeProvider _time;
    private readonly int _capacity;
    private readonly Dictionary<string, Counter> _counters = new(StringComparer.Ordinal);

    // One lock for the three counters: the limit check and the reservation must be one step, or parallel
    // requests all pass the check before any of them is counted.
    private readonly Lock _gate = new();

    public LoginThrottle(IOptions<MnemoAuthOptions> options, TimeProvider time)
        : this(options, time, DefaultCapacity)
    {
    }

    internal LoginThrottle(IOptions<MnemoAuthOptions> options, TimeProvider time, int capacity)
    {
        _options = options;
        _time = time;
        _capacity = capacity;
    }

    private sealed class Counter
    {
        public int Failures;
        public DateTimeOffset LockedUntil = DateTimeOffset.MinValue;
        public DateTimeOffset LastFailure;

        public DateTimeOffset ExpiresAt => (LockedUntil > LastFailure ? LockedUntil : LastFailure) + ForgetAfter;
    }

    /// <summary>Counters currently held (for tests of the memory bound).</summary>
    internal int Count
    {
        get
        {
            lock (_gate)
            {
                return _counters.Count;
            }
        }
    }

    /// <summary>
    /// Decides whether an attempt may check a password, and counts it as a failure if so.
    /// </summary>
    /// <param name="userName">The name as typed (unknown names are throttled like existing ones).</param>
    /// <param name="client">The client network, <see cref="ClientAddress.Key"/>.</param>
    /// <param name="knownDevice">True when the browser holds a device cookie for this name: no per-account delay.</param>
    public LoginAttempt TryBegin(string userName, string client, bool knownDevice)
    {
        var options = _options.Value;
        var account = AccountKey(userName);
        var pairKey = "p|" + account + "|" + client;
        var clientKey = "c|" + client;
        var accountKey = "a|" + account;
        var now = _time.GetUtcNow();

        lock (_gate)
        {
            // Room first: a sweep after the look-ups could drop a counter this attempt is about to count on.
            MakeRoom(now, needed: 3);
            var pair = Find(pairKey, now);
            var network = Find(clientKey, now);
            var locked = Max(pair?.LockedUntil ?? DateTimeOffset.MinValue, network?.LockedUntil ?? DateTimeOffset.MinValue);
            if (locked > now)
            {
                // Refused attempts are not counted: the lock already stops them, and counting them would
                // let the lock grow while no password is being tried.
                return new LoginAttempt(locked, TimeSpan.Zero);
            }

            var accountCounter = Find(accountKey, now);
            var delay = knownDevice ? TimeSpan.Zero : AccountDelay(accountCounter?.Failures ?? 0, options);

            LoginReservation[] reservations =
            [
                Reserve(pairKey, pair, options.LoginMaxFailures, now, options),
                Reserve(clientKey, network, options.LoginMaxFailuresPerIp, now, options),
                Reserve(accountKey, accountCounter, limit: null, now, options),
            ];
            return new LoginAttempt(null, delay) { Reservations = reservations };
        }
    }

    /// <summary>
    /// The password was right. The account+network counter starts over (this network knows the password);
    /// the network and account counters only lose this attempt, so signing in to one's own account between
    /// guesses at others does not reset them.
    /// </summary>
    public void Succeeded(LoginAttempt attempt)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        lock (_gate)
        {
            foreach (var reservation in attempt.Reservations)
            {
                if (reservation.Key.StartsWith("p|", StringComparison.Ordinal))
                {
                    _counters.Remove(reservation.Key);
                    continue;
                }

                if (!_counters.TryGetValue(reservation.Key, out var counter))
                {
                    continue;
                }

                counter.Failures = Math.Max(0, counter.Failures - 1);
                // Lift the lock this attempt set, unless a later attempt has set another since.
                if (counter.LockedUntil == reservation.LockedAfter)
                {
                    counter.LockedUntil = reservation.LockedBefore;
                }
            }
        }
    }

    private Counter? Find(string key, DateTimeOffset now)
    {
        if (!_counters.TryGetValue(key, out var counter))
        {
            return null;
        }

        if (counter.ExpiresAt <= now)
        {
            _counters.Remove(key);
            return null;
        }

        return counter;
    }

    private LoginReservation Reserve(string key, Counter? counter, int? limit, DateTimeOffset now, MnemoAuthOptions options)
    {
        if (counter is null)
        {
            counter = new Counter();
            _counters[key] = counter;
        }

        var before = counter.LockedUntil;
        counter.Failures++;
        counter.LastFailure = now;
        if (limit is { } max && counter.Failures >= max)
        {
            // The attempt that reaches the limit still runs (it was allowed before it was counted); the
            // next one is refused. Each failure beyond the limit doubles the lock.
            var factor = 1L << Math.Min(20, counter.Failures - max);
            counter.LockedUntil = now + TimeSpan.FromTicks(Math.Min(MaxLockout.Ticks, options.LoginLockout.Ticks * factor));
        }

        return new LoginReservation(key, before, counter.LockedUntil);
    }

    /// <summary>
    /// No delay below <see cref="MnemoAuthOptions.LoginMaxFailures"/> failures of the account (from
    /// anywhere); then an eighth of <see cref="MnemoAuthOptions.LoginAccountMaxDelay"/>, doubling with
    /// each further failure up to it. Bounded, so the owner is slowed, never locked out.
    /// </summary>
    private static TimeSpan AccountDelay(int failures, MnemoAuthOptions options)
    {
        var beyond = failures - options.LoginMaxFailures;
        if (beyond < 0 || options.LoginAccountMaxDelay <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        var first = options.LoginAccountMaxDelay.Ticks / 8;
        return TimeSpan.FromTicks(Math.Min(options.LoginAccountMaxDelay.Ticks, first << Math.Min(3, beyond)));
    }

    /// <summary>
    /// Keeps the table under its capacity: expired counters go first; if that is not enough (someone is
    /// spraying names from many addresses), the oldest counters go, unlocked ones before locked ones, down
    /// to 90 % so this sweep does not run on every attempt.
    /// </summary>
    private void MakeRoom(DateTimeOffset now, int needed)
    {
        if (_counters.Count + needed <= _capacity)
        {
            return;
        }

        foreach (var (key, counter) in _counters)
        {
            if (counter.ExpiresAt <= now)
            {
                _counters.Remove(key);
            }
        }

        var target = Math.Max(0, (_capacity * 9 / 10) - needed);
        if (_counters.Count <= target)
        {
            return;
        }

        var oldest = _counters
            .OrderBy(c => c.Value.LockedUntil > now)
            .ThenBy(c => c.Value.LastFailure)
            .Take(_counters.Count - target)
            .Select(c => c.Key)
            .ToList();
        foreach (var key in oldest)
        {
            _counters.Remove(key);
        }
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    /// <summary>Normalized like account names; longer input cannot name an account, so it is cut (bounded keys).</summary>
    private static string AccountKey(string? userName)
    {
        var name = AccountRules.Normalize(userName ?? "");
        return name.Length > AccountRules.MaxUserNameLength ? name[..AccountRules.MaxUserNameLength] : name;
    }
}
