using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Mnemo.Auth.Storage;
using OpenIddict.Server;

namespace Mnemo.Auth.OAuth.Keys;

/// <summary>
/// Gives the OAuth server its signing and encryption keys from the database, creating them on first
/// use. Keys kept in process memory (or development certificates) would invalidate every token and
/// code on restart and make two instances reject each other's tokens — the failure this project
/// exists to fix (PRODUCT.md). The private keys are stored protected with ASP.NET Core data
/// protection, whose key ring is in the same database: this guards against accidental disclosure of
/// the row (logs, exports) and against readers of a backup that lacks the key ring, not against a
/// reader of the whole database (docs/security-model.md).
/// </summary>
internal sealed class PersistedServerKeys(IServiceScopeFactory scopes, IDataProtectionProvider dataProtection, TimeProvider time)
    : IConfigureOptions<OpenIddictServerOptions>
{
    private const string Purpose = "Mnemo.Auth.OAuthServerKeys.v1";
    private const string SigningKeyId = "mnemo-sig-1";
    private const string EncryptionKeyId = "mnemo-enc-1";

    public void Configure(OpenIddictServerOptions options)
    {
        var protector = dataProtection.CreateProtector(Purpose);
        var signing = LoadOrCreate(SigningKeyId, "sig", protector);
        var encryption = LoadOrCreate(EncryptionKeyId, "enc", protector);
        options.SigningCredentials.Add(new SigningCredentials(signing, SecurityAlgorithms.RsaSha256));
        options.EncryptionCredentials.Add(new EncryptingCredentials(encryption, SecurityAlgorithms.RsaOAEP, SecurityAlgorithms.Aes256CbcHmacSha512));
    }

    private RsaSecurityKey LoadOrCreate(string id, string use, IDataProtector protector)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
        var record = db.ServerKeys.AsNoTracking().FirstOrDefault(k => k.Id == id);
        if (record is null)
        {
            using var fresh = RSA.Create(2048);
            db.ServerKeys.Add(new ServerKeyRecord
            {
                Id = id,
                Use = use,
                ProtectedKey = protector.Protect(Convert.ToBase64String(fresh.ExportPkcs8PrivateKey())),
                CreatedAt = time.GetUtcNow(),
            });
            try
            {
                db.SaveChanges();
            }
            catch (DbUpdateException)
            {
                // Another instance created it first: use theirs, so both sign with the same key.
            }

            db.ChangeTracker.Clear();
            record = db.ServerKeys.AsNoTracking().First(k => k.Id == id);
        }

        var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(Convert.FromBase64String(protector.Unprotect(record.ProtectedKey)), out _);
        return new RsaSecurityKey(rsa) { KeyId = id };
    }
}
