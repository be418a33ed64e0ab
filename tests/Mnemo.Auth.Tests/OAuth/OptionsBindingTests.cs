using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mnemo.Auth.Tests.OAuth;

public sealed class OptionsBindingTests
{
    [Fact]
    public void DefaultScopes_FromConfiguration_ReplaceTheBuiltInDefault()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mnemo:Auth:DefaultScopes:0"] = "memory:read",
            ["Mnemo:PublicUrl"] = "https://mnemo.example.com",
        }).Build();
        using var services = new ServiceCollection().AddMnemoAuth("Data Source=:memory:", configuration).BuildServiceProvider();

        var options = services.GetRequiredService<IOptions<MnemoAuthOptions>>().Value;

        Assert.Equal(["memory:read"], options.EffectiveDefaultScopes);
        Assert.Equal(MnemoScopes.All, new MnemoAuthOptions().EffectiveDefaultScopes);
        Assert.Equal("https://mnemo.example.com", options.PublicOrigin);
    }
}
