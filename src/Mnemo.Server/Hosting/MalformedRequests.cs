using Microsoft.AspNetCore.Diagnostics;
using Mnemo.Auth;

namespace Mnemo.Server.Hosting;

/// <summary>
/// The last line of the "malformed input is a 4xx" rule: a body that ASP.NET Core itself cannot read (a form with a NUL
/// character on a page, a body cut short, one past a size limit) surfaces as an exception wherever it is first read.
/// Those are the client's fault and answered 400 (or the status Kestrel chose, such as 413); anything else is a real
/// server error. The feature-level guards (OAuth forms, <c>/mcp</c> envelopes) answer first; this catches the rest.
/// </summary>
internal static class MalformedRequests
{
    public static Task WriteErrorAsync(HttpContext context)
    {
        var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        return error switch
        {
            BadHttpRequestException bad => JsonError.WriteAsync(context, bad.StatusCode, "invalid_request", "The request could not be read; check its body and headers."),
            InvalidDataException => JsonError.WriteAsync(context, StatusCodes.Status400BadRequest, "invalid_request", "The request body is malformed."),
            _ => JsonError.WriteAsync(context, StatusCodes.Status500InternalServerError, "server_error", "Mnemo hit an unexpected error; see the server log."),
        };
    }
}
