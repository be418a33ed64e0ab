using Microsoft.Extensions.Options;

namespace Mnemo.Auth.OAuth.RateLimits;

/// <summary>
/// Stands between requests naming an https client id and the network: a document that just failed is not fetched
/// again for a minute (the failure is answered from memory), and the whole process fetches at most
/// <see cref="RateLimitOptions.MetadataFetchesPerMinute"/> documents a minute. Without it, a flood of requests with
/// fresh or broken client ids would turn Mnemo into a fetcher aimed wherever the attacker likes.
/// </summary>
internal sealed class MetadataFetchGate(IOptions<MnemoAuthOptions> options, TimeProvider time)
{
    public static readonly TimeSpan FailureMemory = TimeSpan.FromMinutes(1);
    private const int MaxRememberedFailures = 10_000;
    private const string GlobalKey = "all";

    private readonly TokenBuckets _fetches = new(options.Value.RateLimits.MetadataFetchesPerMinute, time);
    private readonly Dictionary<string, (string Reason, DateTimeOffset Until)> _failures = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Why the last fetch of <paramref name="clientId"/> failed, while that is remembered.</summary>
    public string? RecentFailure(string clientId)
    {
        lock (_lock)
        {
            if (_failures.TryGetValue(clientId, out var failure) && failure.Until > time.GetUtcNow())
            {
                return failure.Reason;
            }

            _failures.Remove(clientId);
            return null;
        }
    }

    /// <summary>False when the process has fetched its fill this minute.</summary>
    public bool TryStartFetch() => _fetches.TryTake(GlobalKey, out _);

    public void RecordFailure(string clientId, string reason)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            if (_failures.Count >= MaxRememberedFailures)
            {
                foreach (var expired in _failures.Where(f => f.Value.Until <= now).Select(f => f.Key).ToList())
                {
                    _failures.Remove(expired);
                }

                if (_failures.Count >= MaxRememberedFailures)
                {
                    _failures.Clear(); // all fresh: forgetting them only allows one more fetch each
                }
            }

            _failures[clientId] = (reason, now + FailureMemory);
        }
    }
}
