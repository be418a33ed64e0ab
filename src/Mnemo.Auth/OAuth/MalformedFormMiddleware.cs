using Microsoft.AspNetCore.Http;

namespace Mnemo.Auth.OAuth;

/// <summary>
/// Reads the form of a POST to an OAuth endpoint before OpenIddict does, so a body the form reader refuses (a NUL
/// character, broken percent-encoding, a value past the form limits, a body cut short) is answered
/// <c>400 invalid_request</c> in the OAuth error shape instead of escaping as an exception (a 500). The parsed form
/// is cached on the request, so OpenIddict reads it again for free.
/// </summary>
internal sealed class MalformedFormMiddleware(RequestDelegate next)
{
    private static readonly string[] FormEndpoints = ["/token", "/revoke", "/introspect", "/authorize"];

    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        if (HttpMethods.IsPost(context.Request.Method) && context.Request.HasFormContentType
            && FormEndpoints.Any(p => path.Equals(p, StringComparison.OrdinalIgnoreCase)))
        {
            try
            {
                await context.Request.ReadFormAsync(context.RequestAborted);
            }
            catch (Exception e) when (e is InvalidDataException or BadHttpRequestException or IOException or FormatException)
            {
                // The reason stays generic: the reader's message may echo the offending bytes.
                await JsonError.WriteAsync(context, e is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status400BadRequest,
                    "invalid_request", "The request body is not a well-formed application/x-www-form-urlencoded form.");
                return;
            }
        }

        await next(context);
    }
}
