namespace Mnemo.Server.Hosting;

/// <summary>
/// Local mode (no <c>Mnemo:PublicUrl</c>) trusts that only this machine can reach Mnemo, so it may only listen on
/// loopback. Checked against the addresses Kestrel really bound, after start-up, so every way of naming them
/// (<c>--urls</c>, <c>ASPNETCORE_URLS</c>, <c>--Kestrel:Endpoints:…</c>) is covered.
/// </summary>
internal static class LocalModeBinding
{
    /// <summary>Null when the bound addresses fit the mode; otherwise what to tell the person starting Mnemo.</summary>
    public static string? Problem(IEnumerable<string> boundAddresses, Uri? publicOrigin, bool conformance)
    {
        var exposed = boundAddresses.Where(address => !IsLoopbackAddress(address)).ToList();
        if (exposed.Count == 0)
        {
            return null;
        }

        if (conformance)
        {
            return $"--conformance turns off authentication, so Mnemo may listen only on loopback (localhost, 127.0.0.0/8, [::1]); it was bound to {string.Join(", ", exposed)}.";
        }

        return publicOrigin is null
            ? $"Mnemo is listening on {string.Join(", ", exposed)}, which other machines can reach, but Mnemo:PublicUrl is not set. " +
              "Set Mnemo:PublicUrl (e.g. --Mnemo:PublicUrl=https://mnemo.example.com, or Mnemo__PublicUrl) to the address people and apps use, " +
              "or listen on loopback only (--urls http://localhost:5080)."
            : null;
    }

    private static bool IsLoopbackAddress(string address) =>
        Uri.TryCreate(address.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri)
        && LoopbackHost.IsLoopback(uri.Host);
}
