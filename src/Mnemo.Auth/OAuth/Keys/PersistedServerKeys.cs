using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;

namespace Mnemo.Auth.OAuth.Keys;

/// <summary>
/// Gives the OAuth server its signing and encryption keys from the database (<see cref="ServerKeyRing"/>), every time
/// the options are built: at start-up and after each change of the key set. Keys kept in process memory (or
/// development certificates) would invalidate every token and code on restart and make two instances reject each
/// other's tokens — the failure this project exists to fix (PRODUCT.md). Every key in the ring is added: published in
/// the JWKS and accepted for validation whether it is waiting, signing or retiring.
/// </summary>
internal sealed class PersistedServerKeys(ServerKeyRing ring, TimeProvider time) : IConfigureOptions<OpenIddictServerOptions>
{
    public void Configure(OpenIddictServerOptions options)
    {
        var now = time.GetUtcNow();
        // The key that signs now goes first, the others newest first. OpenIddict signs with the first credential and
        // its sort keeps the order of plain RSA keys; UseActiveServerKeys chooses per token anyway, so a key that
        // becomes active between two rebuilds of these options signs from its activation time on.
        foreach (var key in Ordered(ServerKeySchedule.Signing, now))
        {
            options.SigningCredentials.Add(new SigningCredentials(key, SecurityAlgorithms.RsaSha256));
        }

        foreach (var key in Ordered(ServerKeySchedule.Encryption, now))
        {
            options.EncryptionCredentials.Add(new EncryptingCredentials(key, SecurityAlgorithms.RsaOAEP, SecurityAlgorithms.Aes256CbcHmacSha512));
        }
    }

    private IEnumerable<RsaSecurityKey> Ordered(string use, DateTimeOffset now)
    {
        var active = ring.ActiveKeyId(use, now);
        return ring.Keys.Where(k => k.Dates.Use == use)
            .OrderByDescending(k => k.Dates.Id == active)
            .ThenByDescending(k => k.Dates.ActiveFrom)
            .Select(k => k.Key);
    }
}
