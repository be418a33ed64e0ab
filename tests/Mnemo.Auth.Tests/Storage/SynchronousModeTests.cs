using Microsoft.EntityFrameworkCore;
using Mnemo.Auth.Storage;

namespace Mnemo.Auth.Tests.Storage;

/// <summary>
/// The auth module shares Mnemo's SQLite file, and through pooling its connections, with the memory module, whose
/// reads lower <c>synchronous</c> for their access-log commits. A token rotation or revocation must still commit with
/// FULL: every open puts it back (the one shared <c>SqliteConnectionInterceptor</c>).
/// </summary>
[Trait("Provider", "Sqlite")]
public sealed class SynchronousModeTests : IAsyncLifetime
{
    private const long Full = 2;
    private const long Normal = 1;
    private AuthTestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await AuthTestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task AuthCommit_OnAPooledConnectionLeftAtNormal_RunsWithFull()
    {
        // Another module's read leaves the pooled connection at NORMAL (as if it had not restored it).
        await _db.DbAsync(async db =>
        {
            await db.Database.OpenConnectionAsync();
            await db.Database.ExecuteSqlRawAsync("PRAGMA synchronous = NORMAL;");
            Assert.Equal(Normal, await PragmaAsync(db, "synchronous"));
            await db.Database.CloseConnectionAsync();
            return 0;
        });

        // The next auth context gets that same pooled connection (one is idle) and must be back at FULL.
        var synchronous = await _db.DbAsync(db => PragmaAsync(db, "synchronous"));
        Assert.Equal(Full, synchronous);
    }

    [Fact]
    public async Task AuthConnection_WaitsForTheWriteLockInsteadOfFailing()
    {
        var timeout = await _db.DbAsync(db => PragmaAsync(db, "busy_timeout"));
        Assert.True(timeout >= 1_000, $"busy_timeout is {timeout} ms");
    }

    private static async Task<long> PragmaAsync(AuthDbContext db, string pragma)
    {
        await db.Database.OpenConnectionAsync();
        try
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = $"PRAGMA {pragma};";
            return (long)(await command.ExecuteScalarAsync())!;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
