namespace Mnemo.Auth.OAuth.Keys;

/// <summary>The facts of a key the schedule needs.</summary>
internal sealed record ServerKeyDates(string Id, string Use, DateTimeOffset CreatedAt, DateTimeOffset ActiveFrom);

/// <summary>
/// The rotation rules, as pure functions of the keys and the clock (the store applies them; tests check them alone):
/// <list type="number">
/// <item>Of one use, the key with the latest <c>ActiveFrom</c> not in the future signs; every instance picks the same one
/// from the same rows, at the same moment, without talking to the others.</item>
/// <item>A successor is created <see cref="MnemoAuthOptions.SigningKeyLeadTime"/> before the active key's
/// <see cref="MnemoAuthOptions.SigningKeyLifetime"/> ends, and becomes active a lead time after it was created: published
/// first, used later.</item>
/// <item>A superseded key stays until the longest token lifetime (access, refresh, code: all are signed and encrypted
/// JWTs in OpenIddict) plus the lead time has passed since its successor took over: no token it signed is still alive,
/// and instances that learned of the successor late (up to a minute after a <c>rotate --now</c>) are covered.</item>
/// </list>
/// </summary>
internal static class ServerKeySchedule
{
    public const string Signing = "sig";
    public const string Encryption = "enc";

    public static readonly string[] Uses = [Signing, Encryption];

    /// <summary>The keys of one use, oldest activation first (ties by creation, then id: the same order everywhere).</summary>
    public static List<T> Ordered<T>(IEnumerable<T> keys, string use, Func<T, ServerKeyDates> dates) =>
        [.. keys.Where(k => dates(k).Use == use)
            .OrderBy(k => dates(k).ActiveFrom).ThenBy(k => dates(k).CreatedAt).ThenBy(k => dates(k).Id, StringComparer.Ordinal)];

    /// <summary>Index of the key that signs at <paramref name="now"/> in <paramref name="ordered"/> (the first one when all are in the future).</summary>
    public static int ActiveIndex(IReadOnlyList<ServerKeyDates> ordered, DateTimeOffset now)
    {
        var active = 0;
        for (var i = 0; i < ordered.Count; i++)
        {
            if (ordered[i].ActiveFrom <= now)
            {
                active = i;
            }
        }

        return active;
    }

    /// <summary>Every key of every use with its state and retirement time.</summary>
    public static IReadOnlyList<SigningKeyInfo> Describe(IEnumerable<ServerKeyDates> keys, DateTimeOffset now, MnemoAuthOptions options)
    {
        List<SigningKeyInfo> result = [];
        var retention = Retention(options);
        foreach (var use in Uses)
        {
            var ordered = Ordered(keys, use, k => k);
            var active = ActiveIndex(ordered, now);
            for (var i = 0; i < ordered.Count; i++)
            {
                var key = ordered[i];
                var state = i < active ? SigningKeyState.Retiring : i == active ? SigningKeyState.Active : SigningKeyState.Next;
                // Superseded when the next key activates (or, with none yet, when the lifetime says it will be).
                var supersededAt = i + 1 < ordered.Count ? ordered[i + 1].ActiveFrom : key.ActiveFrom + options.SigningKeyLifetime;
                result.Add(new SigningKeyInfo(key.Id, key.Use, key.CreatedAt, key.ActiveFrom, supersededAt + retention, state));
            }
        }

        return result;
    }

    /// <summary>How long a superseded key is kept: every token it protected has expired, plus the lead time as a margin.</summary>
    public static TimeSpan Retention(MnemoAuthOptions options) => options.LongestTokenLifetime + options.SigningKeyLeadTime;

    /// <summary>Whether the active key of a use needs a successor now: its lifetime ends within the lead time and none is waiting.</summary>
    public static bool NeedsSuccessor(IReadOnlyList<ServerKeyDates> ordered, DateTimeOffset now, MnemoAuthOptions options)
    {
        if (ordered.Count == 0)
        {
            return false;
        }

        var active = ActiveIndex(ordered, now);
        return active == ordered.Count - 1
            && now >= ordered[active].ActiveFrom + options.SigningKeyLifetime - options.SigningKeyLeadTime;
    }
}
