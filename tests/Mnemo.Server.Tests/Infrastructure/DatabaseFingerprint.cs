using System.Globalization;
using System.Text;

namespace Mnemo.Server.Tests.Infrastructure;

/// <summary>A summary of every memory table, to prove that a rejected call changed nothing.</summary>
public static class DatabaseFingerprint
{
    public static async Task<string> TakeAsync(TestDataStore store)
    {
        await using var connection = await store.OpenConnectionAsync();
        var text = new StringBuilder();
        // Plain queries both engines answer alike; the rows are joined here rather than with group_concat/string_agg.
        foreach (var sql in new[]
        {
            "SELECT count(*) FROM memories",
            "SELECT id, state, updated_at, length(text) FROM memories ORDER BY id",
            "SELECT count(*) FROM memory_tags",
            "SELECT count(*) FROM memory_history",
        })
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            await using var rows = await command.ExecuteReaderAsync();
            while (await rows.ReadAsync())
            {
                for (var i = 0; i < rows.FieldCount; i++)
                {
                    text.Append(Convert.ToString(rows.GetValue(i), CultureInfo.InvariantCulture)).Append(':');
                }

                text.Append(',');
            }

            text.Append('|');
        }

        return text.ToString();
    }
}
