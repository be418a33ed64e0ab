using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using Mnemo.Memory.Storage;

namespace Mnemo.Memory.Search;

/// <summary>
/// BM25 keyword index on an SQLite FTS5 table (<c>memory_fts</c>, porter stemming), created by the migrations.
/// <c>memory_fts_rowids</c> maps a memory id to its FTS row so re-indexing and deletes never scan the table.
/// </summary>
/// <remarks>
/// Tenancy: each row carries an opaque per-user key token, and every MATCH requires it, so one user's query never
/// even visits another user's rows; the join on <c>memories.user_id</c> enforces it a second time.
/// Injection: user text never reaches MATCH as syntax; it arrives here as <see cref="QueryTerms"/> (letters and
/// digits only) and every term is still quoted as an FTS5 string with any <c>"</c> doubled.
/// </remarks>
internal sealed class SqliteFtsKeywordIndex(IOptions<MemoryOptions> options) : IKeywordIndex
{
    // bm25 column weights: user_key, text, context (neighbours), memory_id.
    private readonly string Bm25 = string.Create(
        CultureInfo.InvariantCulture, $"bm25(memory_fts, 0.0, 1.0, {options.Value.Search.KeywordContextWeight:0.###}, 0.0)");

    public async Task UpsertAsync(MemoryDbContext db, IReadOnlyList<KeywordDocument> documents, CancellationToken ct)
    {
        if (documents.Count == 0)
        {
            return;
        }

        var (connection, transaction) = await OpenAsync(db, ct);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            DELETE FROM memory_fts WHERE rowid = (SELECT fts_rowid FROM memory_fts_rowids WHERE memory_id = $id);
            DELETE FROM memory_fts_rowids WHERE memory_id = $id;
            INSERT INTO memory_fts(user_key, text, context, memory_id) VALUES ($user, $text, $context, $id);
            INSERT INTO memory_fts_rowids(memory_id, fts_rowid) VALUES ($id, last_insert_rowid());
            """;
        var id = command.Parameters.Add("$id", SqliteType.Text);
        var user = command.Parameters.Add("$user", SqliteType.Text);
        var text = command.Parameters.Add("$text", SqliteType.Text);
        var context = command.Parameters.Add("$context", SqliteType.Text);
        foreach (var document in documents)
        {
            id.Value = document.MemoryId;
            user.Value = UserKey(document.UserId);
            text.Value = document.Text;
            context.Value = document.Context;
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    public async Task RemoveAsync(MemoryDbContext db, IReadOnlyList<string> memoryIds, CancellationToken ct)
    {
        var (connection, transaction) = await OpenAsync(db, ct);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            DELETE FROM memory_fts WHERE rowid = (SELECT fts_rowid FROM memory_fts_rowids WHERE memory_id = $id);
            DELETE FROM memory_fts_rowids WHERE memory_id = $id;
            """;
        var id = command.Parameters.Add("$id", SqliteType.Text);
        foreach (var memoryId in memoryIds)
        {
            id.Value = memoryId;
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    public async Task RemoveAllAsync(MemoryDbContext db, string userId, CancellationToken ct)
    {
        var (connection, transaction) = await OpenAsync(db, ct);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            DELETE FROM memory_fts_rowids WHERE fts_rowid IN (SELECT rowid FROM memory_fts WHERE memory_fts MATCH $match);
            DELETE FROM memory_fts WHERE rowid IN (SELECT rowid FROM memory_fts WHERE memory_fts MATCH $match);
            """;
        command.Parameters.AddWithValue("$match", $"user_key : {Quote(UserKey(userId))}");
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<IReadOnlyList<ScoredId>> SearchAsync(
        MemoryDbContext db, string userId, IReadOnlyList<string> terms, MemoryFilter filter, int limit, CancellationToken ct)
    {
        if (terms.Count == 0)
        {
            return [];
        }

        var (connection, transaction) = await OpenAsync(db, ct);
        var match = BuildMatch(userId, terms);
        // Fast path: rank inside FTS5 alone (no join per match), then filter the best rows. Only when the filters
        // reject so many of them that the page is short and more matches exist, fall back to the exact query.
        var selective = filter.Tags.Count > 0 || filter.App is not null || filter.OccurredAfter is not null || filter.OccurredBefore is not null
            || filter.State != Memories.MemoryState.Active;
        var prefetch = Math.Min(2_000, limit * (selective ? 20 : 3));
        var hits = await QueryAsync(connection, transaction, userId, match, filter, limit, prefetch, ct);
        // A short page means few matches (the exact query is cheap then) or filters that rejected the best rows.
        return hits.Count < limit ? await QueryAsync(connection, transaction, userId, match, filter, limit, prefetch: null, ct) : hits;
    }

    private async Task<List<ScoredId>> QueryAsync(
        SqliteConnection connection, SqliteTransaction? transaction, string userId, string match, MemoryFilter filter, int limit, int? prefetch, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        var sql = new StringBuilder(prefetch is null
            ? $"""
              SELECT m.id, -{Bm25} AS score
              FROM memory_fts JOIN memories m ON m.id = memory_fts.memory_id
              WHERE memory_fts MATCH $match AND m.user_id = $user AND m.state = $state
              """
            : $"""
              SELECT m.id, -f.score
              FROM (SELECT memory_id, {Bm25} AS score FROM memory_fts
                    WHERE memory_fts MATCH $match ORDER BY score LIMIT $prefetch) f
              JOIN memories m ON m.id = f.memory_id
              WHERE m.user_id = $user AND m.state = $state
              """);
        command.Parameters.AddWithValue("$match", match);
        command.Parameters.AddWithValue("$user", userId);
        command.Parameters.AddWithValue("$state", filter.State.ToString());
        if (prefetch is not null)
        {
            command.Parameters.AddWithValue("$prefetch", prefetch);
        }

        AppendFilters(sql, command, filter);
        sql.Append(prefetch is null ? $" ORDER BY {Bm25} LIMIT $limit" : " ORDER BY 2 DESC LIMIT $limit");
        command.Parameters.AddWithValue("$limit", limit);
        command.CommandText = sql.ToString();

        var hits = new List<ScoredId>(limit);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            hits.Add(new ScoredId(reader.GetString(0), reader.GetDouble(1)));
        }

        return hits;
    }

    public async Task<IReadOnlyList<string>> FindContainingAllAsync(MemoryDbContext db, string userId, IReadOnlyList<string> terms, int limit, CancellationToken ct)
    {
        if (terms.Count == 0)
        {
            return [];
        }

        var (connection, transaction) = await OpenAsync(db, ct);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            SELECT m.id FROM (SELECT memory_id FROM memory_fts WHERE memory_fts MATCH $match ORDER BY rowid DESC LIMIT $limit) f
            JOIN memories m ON m.id = f.memory_id
            WHERE m.user_id = $user AND m.state = 'Active'
            """;
        command.Parameters.AddWithValue("$match", $"user_key : {Quote(UserKey(userId))} AND text : ({string.Join(" AND ", terms.Select(Quote))})");
        command.Parameters.AddWithValue("$limit", limit);
        command.Parameters.AddWithValue("$user", userId);
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    /// <summary>Appends the app, time and tag filters on alias <c>m</c> (memories).</summary>
    internal static void AppendFilters(StringBuilder sql, DbCommand command, MemoryFilter filter)
    {
        if (filter.App is not null)
        {
            sql.Append(" AND m.app = $app");
            AddParameter(command, "$app", filter.App);
        }

        if (filter.OccurredAfter is { } after)
        {
            sql.Append(" AND m.occurred_at >= $after");
            AddParameter(command, "$after", after);
        }

        if (filter.OccurredBefore is { } before)
        {
            sql.Append(" AND m.occurred_at <= $before");
            AddParameter(command, "$before", before);
        }

        if (filter.Tags.Count > 0)
        {
            // A memory must carry every requested tag.
            sql.Append(" AND (SELECT COUNT(*) FROM memory_tags t WHERE t.memory_id = m.id AND t.tag IN (");
            for (var i = 0; i < filter.Tags.Count; i++)
            {
                sql.Append(i == 0 ? "" : ", ").Append(CultureInfo.InvariantCulture, $"$tag{i}");
                AddParameter(command, $"$tag{i}", filter.Tags[i]);
            }

            sql.Append(CultureInfo.InvariantCulture, $")) = {filter.Tags.Count}");
        }
    }

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    internal static string BuildMatch(string userId, IReadOnlyList<string> terms) =>
        $"user_key : {Quote(UserKey(userId))} AND {{text context}} : ({string.Join(" OR ", terms.Select(Quote))})";

    /// <summary>An FTS5 string literal: wrapped in double quotes, inner double quotes doubled.</summary>
    internal static string Quote(string term) => "\"" + term.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>
    /// An opaque all-digit token per user (digits: the porter stemmer leaves them alone, so keys never merge).
    /// </summary>
    internal static string UserKey(string userId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(userId));
        return string.Concat(
            BitConverter.ToUInt64(hash, 0).ToString("D20", CultureInfo.InvariantCulture),
            BitConverter.ToUInt64(hash, 8).ToString("D20", CultureInfo.InvariantCulture));
    }

    private static async Task<(SqliteConnection Connection, SqliteTransaction? Transaction)> OpenAsync(MemoryDbContext db, CancellationToken ct)
    {
        // Joins the context's connection and transaction (EF keeps it open until the context is disposed).
        await db.Database.OpenConnectionAsync(ct);
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        var transaction = (SqliteTransaction?)db.Database.CurrentTransaction?.GetDbTransaction();
        return (connection, transaction);
    }
}
