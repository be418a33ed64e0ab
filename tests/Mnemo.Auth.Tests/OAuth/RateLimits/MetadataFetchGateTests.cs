using Microsoft.Extensions.Options;
using Mnemo.Auth.OAuth.RateLimits;

namespace Mnemo.Auth.Tests.OAuth.RateLimits;

public sealed class MetadataFetchGateTests
{
    private readonly ManualTimeProvider _time = new();

    private MetadataFetchGate Gate(int perMinute = 30)
    {
        var options = new MnemoAuthOptions();
        options.RateLimits.MetadataFetchesPerMinute = perMinute;
        return new MetadataFetchGate(Options.Create(options), _time);
    }

    [Fact]
    public void AFailedDocument_IsAnsweredFromMemoryForAMinute_ThenFetchedAgain()
    {
        var gate = Gate();
        gate.RecordFailure("https://broken.example/client", "it answered 404");

        Assert.Equal("it answered 404", gate.RecentFailure("https://broken.example/client"));
        Assert.Null(gate.RecentFailure("https://other.example/client"));
        _time.Advance(MetadataFetchGate.FailureMemory);
        Assert.Null(gate.RecentFailure("https://broken.example/client"));
    }

    [Fact]
    public void TheProcess_FetchesAtMostItsFillAMinute()
    {
        var gate = Gate(perMinute: 3);

        Assert.True(gate.TryStartFetch());
        Assert.True(gate.TryStartFetch());
        Assert.True(gate.TryStartFetch());
        Assert.False(gate.TryStartFetch());
        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.True(gate.TryStartFetch());
    }
}
