namespace Mnemo.Auth.OAuth.RateLimits;

/// <summary>
/// Token buckets by key (a client address, a client id), on an injectable clock. Written here rather than taken from
/// System.Threading.RateLimiting, whose limiters run on their own timers: limits must be testable with a fake clock,
/// and one request is checked against two keys at once. Memory is bounded: at most <c>capacity</c> keys, and a
/// full store first forgets buckets that have refilled (they hold no state a new bucket would not).
/// </summary>
internal sealed class TokenBuckets(int perMinute, TimeProvider time, int capacity = TokenBuckets.DefaultCapacity)
{
    public const int DefaultCapacity = 50_000;

    private readonly Dictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly double _refillPerSecond = perMinute / 60.0;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _buckets.Count;
            }
        }
    }

    /// <summary>Takes one token for <paramref name="key"/>; when none is left, says how long until one is.</summary>
    public bool TryTake(string key, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (perMinute <= 0)
        {
            return true;
        }

        var now = time.GetUtcNow().UtcTicks;
        lock (_lock)
        {
            if (!_buckets.TryGetValue(key, out var bucket))
            {
                if (_buckets.Count >= capacity)
                {
                    Evict(now);
                }

                bucket = new Bucket { Tokens = perMinute, Updated = now };
                _buckets[key] = bucket;
            }

            bucket.Tokens = Refilled(bucket, now);
            bucket.Updated = now;
            if (bucket.Tokens >= 1)
            {
                bucket.Tokens -= 1;
                return true;
            }

            retryAfter = TimeSpan.FromSeconds(Math.Ceiling((1 - bucket.Tokens) / _refillPerSecond));
            return false;
        }
    }

    private double Refilled(Bucket bucket, long now) =>
        Math.Min(perMinute, bucket.Tokens + (Math.Max(0, TimeSpan.FromTicks(now - bucket.Updated).TotalSeconds) * _refillPerSecond));

    private void Evict(long now)
    {
        foreach (var (key, bucket) in _buckets)
        {
            if (Refilled(bucket, now) >= perMinute)
            {
                _buckets.Remove(key);
            }
        }

        // Everyone is mid-burst: forget the longest-idle half rather than grow without bound.
        if (_buckets.Count >= capacity)
        {
            foreach (var key in _buckets.OrderBy(b => b.Value.Updated).Take(_buckets.Count / 2).Select(b => b.Key).ToList())
            {
                _buckets.Remove(key);
            }
        }
    }

    private sealed class Bucket
    {
        public double Tokens;
        public long Updated;
    }
}
