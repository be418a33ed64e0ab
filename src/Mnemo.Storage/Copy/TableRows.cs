using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace Mnemo.Storage.Copy;

/// <summary>How many rows a table of a model holds; <see cref="Exists"/> is false when the database has no such table yet.</summary>
public sealed record TableRowCount(string Table, bool Exists, long Rows);

/// <summary>Counts the rows of a model's tables with plain SQL, so it works on a database not (fully) migrated yet.</summary>
internal static class TableRows
{
    public static async Task<IReadOnlyList<TableRowCount>> CountAsync(DbContext db, IReadOnlyList<CopyTable> tables, CancellationToken ct)
    {
        var sql = db.GetService<ISqlGenerationHelper>();
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            var counts = new List<TableRowCount>(tables.Count);
            foreach (var table in tables)
            {
                var qualified = sql.DelimitIdentifier(table.Name, table.Schema);
                var exists = db.Database.IsNpgsql()
                    ? await ScalarAsync(db, connection, "SELECT to_regclass(@name) IS NOT NULL", ("name", (object)qualified), ct) is true
                    : Convert.ToInt64(await ScalarAsync(db, connection, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = @name", ("name", (object)table.Name), ct)) > 0;
                var rows = exists ? Convert.ToInt64(await ScalarAsync(db, connection, $"SELECT count(*) FROM {qualified}", null, ct)) : 0;
                counts.Add(new TableRowCount(table.Name, exists, rows));
            }

            return counts;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static async Task<object?> ScalarAsync(DbContext db, DbConnection connection, string text, (string Name, object Value)? parameter, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = text;
        // Inside the transaction the context joined, if any: a command outside it would fail on Npgsql and on SQLite.
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        if (parameter is { } p)
        {
            var dbParameter = command.CreateParameter();
            dbParameter.ParameterName = p.Name;
            dbParameter.Value = p.Value;
            command.Parameters.Add(dbParameter);
        }

        return await command.ExecuteScalarAsync(ct);
    }
}
