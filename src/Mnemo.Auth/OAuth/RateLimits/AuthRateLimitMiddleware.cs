using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Mnemo.Auth.OAuth.Session;

namespace Mnemo.Auth.OAuth.RateLimits;

/// <summary>
/// Limits the authorization server's unauthenticated routes (<see cref="RateLimitOptions"/>): per client address for
/// registration and the pages, per client id for the token endpoints. Runs after the form guard, so a token request's
/// form is already read and its <c>client_id</c> known without reading the body again. Authenticated MCP traffic never
/// comes here. A refused request gets 429 in the OAuth error shape with <c>Retry-After</c>.
/// </summary>
internal sealed class AuthRateLimitMiddleware(RequestDelegate next, AuthRateLimiter limiter, ILogger<AuthRateLimitMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context, Audit.IAuditLog audit)
    {
        if (limiter.Check(context) is { } retryAfter)
        {
            AuthLog.RateLimited(logger, context.Request.Path, ClientAddress.Key(context.Connection.RemoteIpAddress));
            // One fixed detail per limit: the audit log keeps one such event a minute per address and detail, and a
            // detail taken from the request (its path, its client id) would let a flood of refused requests write a row each.
            audit.Record(Audit.AuditEventKind.RateLimited, detail: $"request limit: {AuthRateLimiter.LimitOf(context.Request.Path)}");
            context.Response.Headers[HeaderNames.RetryAfter] = ((int)Math.Max(1, retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            await JsonError.WriteAsync(context, StatusCodes.Status429TooManyRequests, "temporarily_unavailable",
                $"Too many requests; try again in {(int)Math.Max(1, retryAfter.TotalSeconds)} seconds.");
            return;
        }

        await next(context);
    }
}

/// <summary>Which bucket a request draws from. One instance per process, so limits are per process.</summary>
internal sealed class AuthRateLimiter(IOptions<MnemoAuthOptions> options, TimeProvider time)
{
    private static readonly string[] PagePaths = ["/authorize", "/login", "/setup", "/account"];
    private static readonly string[] TokenPaths = ["/token", "/revoke", "/introspect"];

    private readonly RateLimitOptions _limits = options.Value.RateLimits;
    private readonly TokenBuckets _register = new(options.Value.RateLimits.RegisterPerMinute, time);
    private readonly TokenBuckets _pages = new(options.Value.RateLimits.PagesPerMinute, time);
    private readonly TokenBuckets _token = new(options.Value.RateLimits.TokenPerMinute, time);

    private const string RegisterLimit = "register";
    private const string PagesLimit = "pages";
    private const string TokenLimit = "token";

    /// <summary>Which limit a path falls under (<c>register</c>, <c>pages</c>, <c>token</c>), or null for none.</summary>
    public static string? LimitOf(PathString path) =>
        path.StartsWithSegments("/register", StringComparison.OrdinalIgnoreCase) ? RegisterLimit
        : PagePaths.Any(p => path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase)) ? PagesLimit
        : TokenPaths.Any(p => path.Equals(p, StringComparison.OrdinalIgnoreCase)) ? TokenLimit
        : null;

    /// <summary>Null when the request may go on; otherwise how long the caller should wait.</summary>
    public TimeSpan? Check(HttpContext context)
    {
        var path = context.Request.Path;
        var address = context.Connection.RemoteIpAddress;
        var exempt = _limits.ExemptLoopback && address is not null && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
        TimeSpan retryAfter;
        var limit = LimitOf(path);
        if (limit == RegisterLimit)
        {
            return exempt || _register.TryTake(ClientAddress.Key(address), out retryAfter) ? null : retryAfter;
        }

        if (limit == PagesLimit)
        {
            return exempt || _pages.TryTake(ClientAddress.Key(address), out retryAfter) ? null : retryAfter;
        }

        if (limit == TokenLimit)
        {
            // "Per client where known": a hosted assistant's many users share its client id and a few addresses, so
            // a known client is counted as one; an unnamed caller is counted by address.
            var clientId = ClientId(context);
            if (clientId is null && exempt)
            {
                return null;
            }

            return _token.TryTake(clientId is null ? "ip:" + ClientAddress.Key(address) : "client:" + clientId, out retryAfter) ? null : retryAfter;
        }

        return null;
    }

    /// <summary>From the form the guard already read, or HTTP Basic; bounded, so a huge id cannot become a huge key.</summary>
    private static string? ClientId(HttpContext context)
    {
        string? id = null;
        if (context.Request.HasFormContentType && context.Features.Get<Microsoft.AspNetCore.Http.Features.IFormFeature>()?.Form is { } form
            && form.TryGetValue("client_id", out var fromForm))
        {
            id = fromForm.ToString();
        }
        else if (BasicClientId(context.Request.Headers.Authorization.ToString()) is { } fromBasic)
        {
            id = fromBasic;
        }

        return string.IsNullOrEmpty(id) || id.Length > 512 ? null : id;
    }

    private static string? BasicClientId(string header)
    {
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase) || header.Length > 4096)
        {
            return null;
        }

        try
        {
            var decoded = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            return colon > 0 ? Uri.UnescapeDataString(decoded[..colon]) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
