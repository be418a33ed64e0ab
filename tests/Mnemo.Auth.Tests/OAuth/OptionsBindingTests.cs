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
        }).Build();
        using var services = new ServiceCollection()
            .AddMnemoAccounts(AuthTestDatabase.Configure("Data Source=:memory:", auth =>
            {
                configuration.GetSection(MnemoAuthOptions.SectionName).Bind(auth);
                auth.PublicUrl = "https://mnemo.example.com";
            }))
            .BuildServiceProvider();

        var options = services.GetRequiredService<IOptions<MnemoAuthOptions>>().Value;

        Assert.Equal(["memory:read"], options.EffectiveDefaultScopes);
        var defaults = new MnemoAuthOptions();
        AuthTestDatabase.Configure("Data Source=:memory:")(defaults);
        Assert.Equal(["memory:read", "memory:write"], defaults.EffectiveDefaultScopes);
        Assert.Equal("https://mnemo.example.com", options.PublicOrigin);
    }
}
