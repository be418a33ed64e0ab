using System.Net;

namespace Mnemo.Server.Hosting;

/// <summary>Which host names count as this machine. Used by local mode and by the conformance switch.</summary>
public static class LoopbackHost
{
    /// <summary><c>localhost</c>, 127.0.0.0/8 and <c>[::1]</c> (with or without brackets).</summary>
    public static bool IsLoopback(string host)
    {
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var bare = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        return IPAddress.TryParse(bare, out var address) && IPAddress.IsLoopback(address);
    }
}
