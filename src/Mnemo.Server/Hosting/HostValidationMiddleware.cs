using Microsoft.Extensions.Options;
using Mnemo.Auth;

namespace Mnemo.Server.Hosting;

/// <summary>
/// Answers only requests addressed to Mnemo itself. In local mode (no <c>Mnemo:PublicUrl</c>) that means a
/// loopback Host on the bound port: a web page that re-points its own DNS name at 127.0.0.1 (DNS rebinding)
/// arrives with a foreign Host and is refused before it reaches any route. With a public URL, the Host must
/// be the public one, so URLs are never derived from an attacker-chosen Host header (OAUTH.md "Layout").
/// In local mode the peer address must be loopback too, and <c>serve</c> refuses to listen beyond loopback
/// (<see cref="LocalModeBinding"/>).
/// </summary>
internal sealed class HostValidationMiddleware(RequestDelegate next, IOptions<MnemoServerOptions> options)
{
    private readonly Uri? _publicOrigin = options.Value.PublicOrigin;

    public Task InvokeAsync(HttpContext context)
    {
        // Liveness probes of orchestrators use the pod or container address as Host; /health reveals nothing.
        if (context.Request.Path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase))
        {
            return next(context);
        }

        return IsAllowed(context)
            ? next(context)
            : JsonError.WriteAsync(context, StatusCodes.Status400BadRequest, "invalid_request",
                _publicOrigin is null
                    ? "Mnemo runs in local mode and answers only localhost, 127.0.0.1 and [::1]. To serve other host names, set Mnemo:PublicUrl."
                    : $"This server answers only requests for {_publicOrigin.Authority}. Check Mnemo:PublicUrl and your proxy's Host header.");
    }

    private bool IsAllowed(HttpContext context)
    {
        var host = context.Request.Host;
        if (!host.HasValue)
        {
            return false;
        }

        if (_publicOrigin is not null)
        {
            return string.Equals(host.Host, _publicOrigin.Host, StringComparison.OrdinalIgnoreCase)
                && (host.Port is { } port ? port == _publicOrigin.Port : _publicOrigin.IsDefaultPort);
        }

        if (!LoopbackHost.IsLoopback(host.Host))
        {
            return false;
        }

        // The Host header is the caller's to choose: a LAN machine can send "Host: localhost". Local mode trusts this
        // machine only, so the peer itself must be loopback (no address: an in-process or Unix-socket caller).
        if (context.Connection.RemoteIpAddress is { } peer && !System.Net.IPAddress.IsLoopback(peer.IsIPv4MappedToIPv6 ? peer.MapToIPv4() : peer))
        {
            return false;
        }

        // A Host naming another port is not this server (a rebinding page on another local port).
        var localPort = context.Connection.LocalPort;
        return host.Port is null || localPort == 0 || host.Port == localPort;
    }
}
