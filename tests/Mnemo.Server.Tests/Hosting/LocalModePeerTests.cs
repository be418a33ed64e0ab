using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Mnemo.Server.Hosting;

namespace Mnemo.Server.Tests.Hosting;

/// <summary>In local mode the Host header is the caller's word; the peer address is the network's. Both must be loopback.</summary>
public sealed class LocalModePeerTests
{
    [Theory]
    [InlineData("192.168.1.20", false)]
    [InlineData("10.0.0.7", false)]
    [InlineData("::ffff:192.168.1.20", false)]
    [InlineData("fe80::1", false)]
    [InlineData("127.0.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    public async Task LocalMode_HostLocalhost_IsAnsweredOnlyForALoopbackPeer(string peer, bool answered)
    {
        var reached = false;
        var middleware = new HostValidationMiddleware(_ => { reached = true; return Task.CompletedTask; }, Options.Create(new MnemoServerOptions()));
        var context = new DefaultHttpContext();
        context.Request.Host = new HostString("localhost", 5080);
        context.Request.Path = "/status";
        context.Connection.LocalPort = 5080;
        context.Connection.RemoteIpAddress = IPAddress.Parse(peer);
        context.Response.Body = new MemoryStream();

        await middleware.InvokeAsync(context);

        Assert.Equal(answered, reached);
        Assert.Equal(answered ? 200 : 400, context.Response.StatusCode);
    }
}
