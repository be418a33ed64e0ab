using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mnemo.Auth.Storage;

namespace Mnemo.Auth.OAuth.Keys;

/// <summary>
/// The OAuth server's keys in the database: creates the first ones, schedules successors, deletes retired ones
/// (<see cref="ServerKeySchedule"/>), and rotates on demand (<c>mnemo signing-keys rotate</c>). Works without a web host,
/// so the CLI and every server instance apply the same rules to the same rows. Private keys are stored protected with
/// ASP.NET Core data protection, whose key ring is in the same database: this guards against disclosure of single rows
/// (logs, exports) and backups that lack the key ring, not against a reader of the whole database
/// (docs/security-model.md).
/// </summary>
internal sealed class ServerKeyStore(
    AuthDbContext db,
    IDataProtectionProvider dataProtection,
    IOptions<MnemoAuthOptions> options,
    TimeProvider time,
    ILogger<ServerKeyStore> logger) : ISigningKeyService
{
    private const string Purpose = "Mnemo.Auth.OAuthServerKeys.v1";

    /// <summary>Every key with its state; never key material.</summary>
    public async Task<IReadOnlyList<SigningKeyInfo>> ListAsync(CancellationToken cancellationToken = default) =>
        ServerKeySchedule.Describe(await DatesAsync(cancellationToken), time.GetUtcNow(), options.Value);

    /// <summary>
    /// Applies the schedule: a first key of each use (active at once), a successor when the active key's lifetime is
    /// about to end, and deletion of keys whose tokens have all expired. Returns whether any row changed. Safe to run
    /// from several processes at once: a first key has a fixed id (one insert wins), and a duplicate successor made by
    /// a race only means one more published key until it retires.
    /// </summary>
    public async Task<bool> MaintainAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var changed = false;
        var keys = await DatesAsync(cancellationToken);
        foreach (var use in ServerKeySchedule.Uses)
        {
            var ordered = ServerKeySchedule.Ordered(keys, use, k => k);
            if (ordered.Count == 0)
            {
                // A fixed id for the very first key: two instances starting on an empty database insert the same
                // row, one of them fails, and both use the winner's key instead of signing with keys the other lacks.
                changed |= await TryCreateAsync($"mnemo-{use}-1", use, now, cancellationToken);
                continue;
            }

            if (ServerKeySchedule.NeedsSuccessor(ordered, now, options.Value))
            {
                changed |= await TryCreateAsync(NewId(use, now), use, now + options.Value.SigningKeyLeadTime, cancellationToken);
            }
        }

        var retired = ServerKeySchedule.Describe(keys, now, options.Value)
            .Where(k => k.State == SigningKeyState.Retiring && k.RetiresAt <= now)
            .Select(k => k.Id)
            .ToList();
        if (retired.Count > 0)
        {
            await db.ServerKeys.Where(k => retired.Contains(k.Id)).ExecuteDeleteAsync(cancellationToken);
            foreach (var id in retired)
            {
                AuthLog.ServerKeyRetired(logger, id);
            }

            changed = true;
        }

        return changed;
    }

    /// <summary>
    /// Creates a new key of each use, published now and active after the lead time (or at once with
    /// <paramref name="immediately"/>). Keys still waiting to become active are deleted first: they never signed
    /// anything, and a rotation means the newest key should be one nobody could have seen before now.
    /// </summary>
    public async Task<IReadOnlyList<SigningKeyInfo>> RotateAsync(bool immediately, CancellationToken cancellationToken = default)
    {
        await MaintainAsync(cancellationToken);
        var now = time.GetUtcNow();
        var activeFrom = immediately ? now : now + options.Value.SigningKeyLeadTime;
        var waiting = ServerKeySchedule.Describe(await DatesAsync(cancellationToken), now, options.Value)
            .Where(k => k.State == SigningKeyState.Next)
            .Select(k => k.Id)
            .ToList();
        await db.ServerKeys.Where(k => waiting.Contains(k.Id)).ExecuteDeleteAsync(cancellationToken);

        List<string> created = [];
        foreach (var use in ServerKeySchedule.Uses)
        {
            var id = NewId(use, now);
            if (await TryCreateAsync(id, use, activeFrom, cancellationToken))
            {
                created.Add(id);
            }
        }

        return [.. (await ListAsync(cancellationToken)).Where(k => created.Contains(k.Id))];
    }

    /// <summary>Every key row, with its private key still protected.</summary>
    public async Task<IReadOnlyList<ServerKeyRecord>> LoadAsync(CancellationToken cancellationToken = default) =>
        await db.ServerKeys.AsNoTracking().ToListAsync(cancellationToken);

    /// <summary>The private key of a row, unprotected.</summary>
    public RSA Unprotect(ServerKeyRecord record)
    {
        var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(Convert.FromBase64String(dataProtection.CreateProtector(Purpose).Unprotect(record.ProtectedKey)), out _);
        return rsa;
    }

    private async Task<List<ServerKeyDates>> DatesAsync(CancellationToken cancellationToken) =>
        [.. (await db.ServerKeys.AsNoTracking().ToListAsync(cancellationToken)).Select(k => new ServerKeyDates(k.Id, k.Use, k.CreatedAt, k.ActiveFrom))];

    private async Task<bool> TryCreateAsync(string id, string use, DateTimeOffset activeFrom, CancellationToken cancellationToken)
    {
        using var fresh = RSA.Create(2048);
        db.ServerKeys.Add(new ServerKeyRecord
        {
            Id = id,
            Use = use,
            ProtectedKey = dataProtection.CreateProtector(Purpose).Protect(Convert.ToBase64String(fresh.ExportPkcs8PrivateKey())),
            CreatedAt = time.GetUtcNow(),
            ActiveFrom = activeFrom,
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            AuthLog.ServerKeyCreated(logger, id, use, activeFrom);
            return true;
        }
        catch (DbUpdateException)
        {
            // Another instance created it first: use theirs, so both sign with the same key.
            return false;
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    /// <summary>
    /// A new, never reused id: the date for people reading the JWKS or the list, and random bits so that two keys
    /// never share an id (clients cache keys by <c>kid</c>; a reused id with other key material would break them).
    /// </summary>
    private static string NewId(string use, DateTimeOffset now) =>
        $"mnemo-{use}-{now.UtcDateTime:yyyyMMdd}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
}
