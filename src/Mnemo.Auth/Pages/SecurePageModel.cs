using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mnemo.Auth.Pages;

/// <summary>
/// Headers of every sign-in, consent and setup page (OAUTH.md "Consent"): no framing (clickjacking,
/// RFC 6749 §10.13), no Referer (the URL carries OAuth parameters), no caching, no scripts at all, and
/// a <c>form-action</c> that allows this origin plus, on the consent page, the client's redirect
/// origin — Chromium applies <c>form-action</c> to the redirect after the form post, so without it
/// "Allow" would silently do nothing.
/// </summary>
internal abstract class SecurePageModel : PageModel
{
    /// <summary>Extra <c>form-action</c> source (the client's redirect origin) on the consent page.</summary>
    protected string? FormActionTarget { get; set; }

    /// <summary>
    /// With an https public URL the session and anti-forgery cookies are Secure-only, so a page reached over plain http
    /// (a proxy that terminates TLS but is not in <c>Mnemo:ForwardedHeaders:KnownProxies</c>, so its
    /// <c>X-Forwarded-Proto</c> does not count) could never sign anyone in, and ASP.NET Core would throw while writing
    /// the form. Say what is wrong instead, with a 400.
    /// </summary>
    public override void OnPageHandlerExecuting(PageHandlerExecutingContext context)
    {
        var publicOrigin = HttpContext.RequestServices.GetRequiredService<IOptions<MnemoAuthOptions>>().Value.PublicOrigin;
        if (publicOrigin?.StartsWith("https://", StringComparison.Ordinal) == true && !Request.IsHttps)
        {
            context.Result = new ContentResult
            {
                StatusCode = StatusCodes.Status400BadRequest,
                ContentType = "text/plain; charset=utf-8",
                Content = $"This page must be opened over https ({publicOrigin}). If a reverse proxy terminates TLS in front of Mnemo, " +
                          "add its address to Mnemo:ForwardedHeaders:KnownProxies so that its X-Forwarded-Proto header is trusted.",
            };
            return;
        }

        base.OnPageHandlerExecuting(context);
    }

    public override void OnPageHandlerExecuted(PageHandlerExecutedContext context)
    {
        var headers = Response.Headers;
        var formAction = FormActionTarget is null ? "'self'" : $"'self' {FormActionTarget}";
        headers.ContentSecurityPolicy = $"default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action {formAction}; frame-ancestors 'none'; base-uri 'none'";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["X-Content-Type-Options"] = "nosniff";
        headers.CacheControl = "no-store";
        headers.Pragma = "no-cache";
        base.OnPageHandlerExecuted(context);
    }
}
