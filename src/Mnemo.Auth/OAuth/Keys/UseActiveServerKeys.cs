using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Mnemo.Auth.OAuth.Keys;

/// <summary>
/// Contains the logic responsible for protecting each new token with the key that is active at that moment
/// (<see cref="ServerKeyRing.ActiveKeyId"/>), rather than with whichever credential came first when the options were
/// last built. A successor is published a lead time before it signs, and every instance switches to it at the same
/// instant, from the same rows, without a reload.
/// </summary>
internal sealed class UseActiveServerKeys(ServerKeyRing ring, TimeProvider time) : IOpenIddictServerHandler<GenerateTokenContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<GenerateTokenContext>()
            .UseSingletonHandler<UseActiveServerKeys>()
            // Right after OpenIddict chose its defaults, before the token entry and the token are created.
            .SetOrder(OpenIddictServerHandlers.Protection.AttachSecurityCredentials.Descriptor.Order + 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(GenerateTokenContext context)
    {
        var now = time.GetUtcNow();
        if (ring.ActiveKeyId(ServerKeySchedule.Signing, now) is { } signing
            && context.Options.SigningCredentials.Find(c => c.Key.KeyId == signing) is { } credentials)
        {
            context.SigningCredentials = credentials;
        }

        // Null means OpenIddict does not encrypt this token type: leave it so.
        if (context.EncryptionCredentials is not null
            && ring.ActiveKeyId(ServerKeySchedule.Encryption, now) is { } encryption
            && context.Options.EncryptionCredentials.Find(c => c.Key.KeyId == encryption) is { } encrypting)
        {
            context.EncryptionCredentials = encrypting;
        }

        return ValueTask.CompletedTask;
    }
}
