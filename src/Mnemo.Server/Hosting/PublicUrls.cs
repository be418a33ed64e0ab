using Microsoft.Extensions.Options;

namespace Mnemo.Server.Hosting;

/// <summary>
/// Builds absolute URLs. With <c>Mnemo:PublicUrl</c> every URL comes from it; in local mode from the
/// request's scheme and Host, which <see cref="HostValidationMiddleware"/> has already limited to loopback.
/// </summary>
public sealed class PublicUrls(IOptions<MnemoServerOptions> options, IHttpContextAccessor accessor)
{
    public string BaseUrl
    {
        get
        {
            if (options.Value.PublicOrigin is { } origin)
            {
                return origin.GetLeftPart(UriPartial.Authority);
            }

            var request = accessor.HttpContext?.Request;
            return request is null ? "http://localhost" : $"{request.Scheme}://{request.Host.Value}";
        }
    }

    /// <summary>Where a person can see one memory (the page itself comes with the web UI).</summary>
    public string Memory(string id) => $"{BaseUrl}/memories/{Uri.EscapeDataString(id)}";
}
