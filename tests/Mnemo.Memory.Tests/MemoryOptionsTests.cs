using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mnemo.Memory.Tests;

public sealed class MemoryOptionsTests
{
    [Fact]
    public void Options_HaveWorkingDefaults()
    {
        using var provider = new ServiceCollection().AddMnemoMemory("Data Source=:memory:").BuildServiceProvider();

        Assert.Equal(TimeSpan.FromSeconds(10), provider.GetRequiredService<IOptions<MemoryOptions>>().Value.BusyTimeout);
    }

    [Fact]
    public void Options_WithBadBusyTimeout_FailNamingTheSetting()
    {
        Assert.Contains("Mnemo:Memory:BusyTimeout", ValidationError(o => o.BusyTimeout = TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public void Options_WithNegativeWarmUpUsers_FailNamingTheSetting()
    {
        Assert.Contains("Mnemo:Memory:Search:WarmUpUsers is -1", ValidationError(o => o.Search.WarmUpUsers = -1));
    }

    [Fact]
    public void Options_WithNegativeIndexIdleLifetime_FailNamingTheSetting()
    {
        Assert.Contains("Mnemo:Memory:Search:IndexIdleLifetime", ValidationError(o => o.Search.IndexIdleLifetime = TimeSpan.FromMinutes(-5)));
    }

    [Theory]
    [InlineData(9)]
    [InlineData(5001)]
    public void Options_WithAccessLogFlushIntervalOutOfRange_FailNamingTheSetting(int milliseconds)
    {
        Assert.Contains($"Mnemo:Memory:AccessLog:FlushMilliseconds is {milliseconds}", ValidationError(o => o.AccessLog.FlushMilliseconds = milliseconds));
    }

    [Fact]
    public void AccessLogFlushInterval_DefaultsTo100Milliseconds_AndIsBoundFromConfiguration()
    {
        using var defaults = new ServiceCollection().AddMnemoMemory("Data Source=:memory:").BuildServiceProvider();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Mnemo:Memory:AccessLog:FlushMilliseconds"] = "250" })
            .Build();
        using var configured = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddMnemoMemory("Data Source=:memory:").BuildServiceProvider();

        Assert.Equal(100, defaults.GetRequiredService<IOptions<MemoryOptions>>().Value.AccessLog.FlushMilliseconds);
        Assert.Equal(250, configured.GetRequiredService<IOptions<MemoryOptions>>().Value.AccessLog.FlushMilliseconds);
    }

    [Fact]
    public void AddMnemoMemory_WithoutConnectionString_Throws()
    {
        Assert.ThrowsAny<ArgumentException>(() => new ServiceCollection().AddMnemoMemory(" "));
    }

    private static string ValidationError(Action<MemoryOptions> configure)
    {
        using var provider = new ServiceCollection().AddMnemoMemory("Data Source=:memory:", configure).BuildServiceProvider();
        return Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<MemoryOptions>>().Value).Message;
    }
}
