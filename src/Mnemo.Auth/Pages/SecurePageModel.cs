using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Mnemo.Auth.Pages;

/// <summary>
/// Headers of every sign-in, consent and setup page (OAUTH.md "Consent"): no framing (clickjacking,
/// RFC 6749 §10.13), no Referer (the URL carries OAuth parameters), no caching, no scripts at all, and
/// a <c>form-action</c> that allows this origin plus, on the consent page, the client's redirect
/// origin — Chromium applies <c>form-action</c> to the redirect after the form post, so without it
/// "Allow" would silently do nothing.
/// </summary>
public abstract class SecurePageModel : PageModel
{
    /// <summary>Extra <c>form-action</c> source (the client's redirect origin) on the consent page.</summary>
    protected string? FormActionTarget { get; set; }

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
