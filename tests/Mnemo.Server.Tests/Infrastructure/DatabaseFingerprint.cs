using Microsoft.Data.Sqlite;
using Mnemo.Server.Hosting;

namespace Mnemo.Server.Tests.Infrastructure;

/// <summary>A summary of every memory table, to prove that a rejected call changed nothing.</summary>
public static class DatabaseFingerprint
{
    public static async Task<string> TakeAsync(string dataDir)
    {
        await using var connection = new SqliteConnection(DataDirectory.ConnectionString(dataDir));
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT (SELECT count(*) FROM memories) || '|' ||
                   (SELECT coalesce(group_concat(id || ':' || state || ':' || updated_at || ':' || length(text)), '') FROM (SELECT * FROM memories ORDER BY id)) || '|' ||
                   (SELECT count(*) FROM memory_tags) || '|' ||
                   (SELECT count(*) FROM memory_history)
            """;
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
