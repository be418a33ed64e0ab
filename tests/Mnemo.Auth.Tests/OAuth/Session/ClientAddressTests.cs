using System.Net;
using Mnemo.Auth.OAuth.Session;

namespace Mnemo.Auth.Tests.OAuth.Session;

public sealed class ClientAddressTests
{
    [Fact]
    public void Key_OfTwoIpv6AddressesInOneSlash64_IsTheSame() =>
        Assert.Equal(
            ClientAddress.Key(IPAddress.Parse("2001:db8:1:2::1")),
            ClientAddress.Key(IPAddress.Parse("2001:db8:1:2:ffff:ffff:ffff:ffff")));

    [Fact]
    public void Key_OfIpv6AddressesInDifferentSlash64s_Differs() =>
        Assert.NotEqual(
            ClientAddress.Key(IPAddress.Parse("2001:db8:1:2::1")),
            ClientAddress.Key(IPAddress.Parse("2001:db8:1:3::1")));

    [Fact]
    public void Key_OfAnIpv4MappedAddress_IsThePlainIpv4Address() =>
        Assert.Equal("203.0.113.7", ClientAddress.Key(IPAddress.Parse("::ffff:203.0.113.7")));

    [Fact]
    public void Key_OfIpv4Addresses_KeepsEveryAddressApart() =>
        Assert.NotEqual(ClientAddress.Key(IPAddress.Parse("203.0.113.7")), ClientAddress.Key(IPAddress.Parse("203.0.113.8")));
}
