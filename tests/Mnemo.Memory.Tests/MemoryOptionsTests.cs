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
        using var provider = new ServiceCollection()
            .AddMnemoMemory("Data Source=:memory:", o => o.BusyTimeout = TimeSpan.FromSeconds(-1))
            .BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<MemoryOptions>>().Value);

        Assert.Contains("Mnemo:Memory:BusyTimeout", error.Message);
    }

    [Fact]
    public void Options_WithNegativeWarmUpUsers_FailNamingTheSetting()
    {
        using var provider = new ServiceCollection()
            .AddMnemoMemory("Data Source=:memory:", o => o.Search.WarmUpUsers = -1)
            .BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<MemoryOptions>>().Value);

        Assert.Contains("Mnemo:Memory:Search:WarmUpUsers is -1", error.Message);
    }

    [Fact]
    public void Options_WithNegativeIndexIdleLifetime_FailNamingTheSetting()
    {
        using var provider = new ServiceCollection()
            .AddMnemoMemory("Data Source=:memory:", o => o.Search.IndexIdleLifetime = TimeSpan.FromMinutes(-5))
            .BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<MemoryOptions>>().Value);

        Assert.Contains("Mnemo:Memory:Search:IndexIdleLifetime", error.Message);
    }

    [Fact]
    public void AddMnemoMemory_WithoutConnectionString_Throws()
    {
        Assert.ThrowsAny<ArgumentException>(() => new ServiceCollection().AddMnemoMemory(" "));
    }
}
