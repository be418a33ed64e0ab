using System.Net;
using System.Text.RegularExpressions;

namespace Mnemo.Server.Tests.OAuth;

/// <summary>
/// What a browser does during an OAuth connect, minus rendering: keeps cookies, follows nothing by
/// itself (each redirect is asserted), reads hidden form fields and posts forms back.
/// </summary>
public sealed partial class BrowserSession : IDisposable
{
    private readonly HttpClient _http;

    public BrowserSession(Uri socket, string? hostHeader = null, CookieContainer? cookies = null)
    {
        Cookies = cookies ?? new CookieContainer();
        _http = new HttpClient(new HttpClientHandler { CookieContainer = Cookies, UseCookies = true, AllowAutoRedirect = false })
        {
            BaseAddress = socket,
        };
        if (hostHeader is not null)
        {
            _http.DefaultRequestHeaders.Host = hostHeader;
        }
    }

    public CookieContainer Cookies { get; }

    /// <summary>
    /// Every later request says it comes from <paramref name="address"/> (and, when given, over
    /// <paramref name="scheme"/>) through the proxy the server is configured to trust
    /// (<c>Mnemo:ForwardedHeaders:KnownProxies</c> = 127.0.0.1), as a browser behind a reverse proxy would.
    /// </summary>
    public BrowserSession From(string address, string? scheme = null)
    {
        _http.DefaultRequestHeaders.Remove("X-Forwarded-For");
        _http.DefaultRequestHeaders.Remove("X-Forwarded-Proto");
        _http.DefaultRequestHeaders.Add("X-Forwarded-For", address);
        if (scheme is not null)
        {
            _http.DefaultRequestHeaders.Add("X-Forwarded-Proto", scheme);
        }

        return this;
    }

    public Task<HttpResponseMessage> GetAsync(string url) => _http.GetAsync(Relative(url));

    public Task<HttpResponseMessage> PostFormAsync(string url, IEnumerable<KeyValuePair<string, string>> fields) =>
        _http.PostAsync(Relative(url), new FormUrlEncodedContent(fields));

    /// <summary>Every named input of the first form in the page (hidden fields, the anti-forgery token, prefilled values).</summary>
    public static Dictionary<string, string> FormFields(string html)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match input in InputPattern().Matches(html))
        {
            var name = AttributePattern("name").Match(input.Value);
            var value = AttributePattern("value").Match(input.Value);
            if (name.Success)
            {
                fields[WebUtility.HtmlDecode(name.Groups[1].Value)] = value.Success ? WebUtility.HtmlDecode(value.Groups[1].Value) : "";
            }
        }

        return fields;
    }

    /// <summary>Paths are relative to the server's socket whatever origin the URL names (the public URL in tests points nowhere).</summary>
    private static string Relative(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https" ? absolute.PathAndQuery : url;

    private static Regex AttributePattern(string attribute) => new($"\\s{attribute}=\"([^\"]*)\"", RegexOptions.IgnoreCase);

    [GeneratedRegex("<input\\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InputPattern();

    public void Dispose() => _http.Dispose();
}
