using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using OpenIddict.Server;
using OpenIddict.Validation;

namespace Mnemo.Auth.OAuth.Keys;

/// <summary>Makes the options monitor rebuild OpenIddict's server options when the key set changes (<see cref="ServerKeyRing"/>).</summary>
internal sealed class ServerOptionsKeyChangeToken(ServerKeyRing ring) : IOptionsChangeTokenSource<OpenIddictServerOptions>
{
    public string Name => Options.DefaultName;

    public IChangeToken GetChangeToken() => ring.ServerOptionsChanged;
}

/// <summary>
/// Makes the options monitor rebuild OpenIddict's validation options (the resource server's copy of the server keys,
/// <c>UseLocalServer</c>) after the server options were rebuilt.
/// </summary>
internal sealed class ValidationOptionsKeyChangeToken(ServerKeyRing ring) : IOptionsChangeTokenSource<OpenIddictValidationOptions>
{
    public string Name => Options.DefaultName;

    public IChangeToken GetChangeToken() => ring.ValidationOptionsChanged;
}
