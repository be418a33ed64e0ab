using Microsoft.AspNetCore.Http;

namespace Mnemo.Auth.OAuth.Resource;

/// <summary>
/// The body of a POST to the MCP endpoint, read into memory once per request for every middleware that must look
/// inside the message before the SDK does (the per-tool scope check here, the host's JSON-RPC guard), and handed on
/// to the SDK as a seekable in-memory copy. Before, each of them buffered the stream through a file-backed buffer and
/// parsed it asynchronously, and the SDK parsed it a third time. Bounded before it is read: a body announced larger
/// than <see cref="MaxBytes"/> is not read at all, a chunked one no further than one chunk past it.
/// </summary>
public static class McpRequestBody
{
    /// <summary>The largest MCP message accepted: far above any real one (a hundred 8,000-character memories are ~1 MB).</summary>
    public const int MaxBytes = 4 * 1024 * 1024;

    /// <summary>
    /// The body's bytes, or null when it is larger than <see cref="MaxBytes"/>. After null the body has been partly
    /// consumed and must not reach the endpoint: the caller answers 413 (<see cref="WriteTooLargeAsync"/>).
    /// </summary>
    public static async ValueTask<byte[]?> ReadAsync(HttpContext context)
    {
        if (context.Features.Get<Read>() is { } read)
        {
            return read.Bytes;
        }

        var bytes = await ReadCoreAsync(context.Request, context.RequestAborted);
        context.Features.Set(new Read(bytes));
        if (bytes is not null)
        {
            // The SDK reads the body (or the pipe over it) again from the start.
            context.Request.Body = new MemoryStream(bytes, writable: false);
        }

        return bytes;
    }

    public static Task WriteTooLargeAsync(HttpContext context) =>
        JsonError.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "request_too_large",
            $"An MCP message may be at most {MaxBytes / (1024 * 1024)} MB; send fewer or shorter items per call.");

    private static async Task<byte[]?> ReadCoreAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength is { } length)
        {
            if (length > MaxBytes)
            {
                return null;
            }

            var exact = new byte[length];
            var got = await request.Body.ReadAtLeastAsync(exact, exact.Length, throwOnEndOfStream: false, cancellationToken);
            return got == exact.Length ? exact : exact[..got];
        }

        // Chunked: no length announced, so read until the end or until past the limit.
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int n;
        while ((n = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + n > MaxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, n);
        }

        return buffer.ToArray();
    }

    private sealed record Read(byte[]? Bytes);
}
