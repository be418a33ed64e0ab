using Microsoft.EntityFrameworkCore;

namespace Mnemo.Memory.Storage.Postgres;

/// <summary>
/// The change feed on PostgreSQL, where sequence values are handed out before commit: a writer may take seq 5, a second
/// take seq 6 and commit first, and a reader that moved its position to 6 would never see 5. So a position here is not
/// a sequence number but a <b>transaction-id horizon</b>: the <c>xmin</c> of the reader's snapshot, below which every
/// transaction has finished (committed, and so visible to that snapshot, or aborted). Each row carries the id of the
/// transaction that wrote it (<c>tx_id</c>, set by the database), and a read returns every row of the user written
/// by a transaction at or above the last horizon, with the new horizon taken from the same snapshot.
/// </summary>
/// <remarks>
/// Why nothing is skipped: a row not visible to a read's snapshot belongs to a transaction that was running when the
/// snapshot was taken, or that took its id later; either way its id is at or above that snapshot's horizon, so the
/// next read (from that horizon) returns it. Transaction ids only grow, and PostgreSQL gives one to a transaction at
/// its first write, so a transaction that reads for a while and then writes still lands above the horizon.
/// What it costs: rows of transactions still running at the last read are read again (harmless: a change means
/// "re-read this memory as it is now"). A transaction left open for a long time anywhere on the server (an idle
/// session in a transaction, a long pg_dump) holds the horizon back, and until it ends each catch-up re-reads the
/// user's changes since it began; past a few hundred the index reloads the user instead, which is still correct.
/// </remarks>
internal static class PostgresChangeFeed
{
    /// <summary>The column the migrations add to <c>memory_changes</c>; outside the EF model on purpose (see the context).</summary>
    public const string AddTransactionIdSql = """
        ALTER TABLE memory_changes ADD COLUMN tx_id xid8 NOT NULL DEFAULT pg_current_xact_id();
        CREATE INDEX "IX_memory_changes_user_id_tx_id" ON memory_changes (user_id, tx_id);
        """;

    // xid8 has no cast from bigint but has one from text; horizons fit a bigint for 2^63 transactions.
    private const string HorizonSql = "pg_snapshot_xmin(pg_current_snapshot())::text::bigint";

    /// <summary>A position from which a later read misses nothing committed after this call.</summary>
    public static async Task<long> PositionAsync(MemoryDbContext db, CancellationToken ct) =>
        await db.Database.SqlQueryRaw<long>($"SELECT {HorizonSql} AS \"Value\"").SingleAsync(ct);

    /// <summary>The user's changes written by transactions at or above <paramref name="after"/> (a horizon), in order, and the new horizon.</summary>
    public static async Task<FeedRead> ReadAsync(MemoryDbContext db, string userId, long after, CancellationToken ct)
    {
        // One statement, one snapshot: the horizon and the rows come from the same view of the table. The LEFT JOIN
        // returns the horizon even when there are no rows.
        var rows = await db.Database.SqlQuery<Row>($"""
            SELECT h.horizon AS "Horizon", c.seq AS "Seq", c.memory_id AS "MemoryId"
            FROM (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS horizon) AS h
            LEFT JOIN memory_changes AS c ON c.user_id = {userId} AND c.tx_id >= ({after})::text::xid8
            ORDER BY c.seq
            """).ToListAsync(ct);
        var changes = rows.Where(r => r.Seq is not null).Select(r => new FeedChange(r.Seq!.Value, r.MemoryId!)).ToList();
        return new FeedRead(changes, rows[0].Horizon);
    }

    private sealed record Row(long Horizon, long? Seq, string? MemoryId);
}
