using System.Net;
using Mnemo.Server.Tests.Infrastructure;
using Mnemo.Server.Tests.OAuth;

namespace Mnemo.Server.Tests.Mcp;

/// <summary>
/// Reads queue their access-log rows and one writer commits them every 100 ms (Mnemo:Memory:AccessLog:FlushMilliseconds):
/// a graceful stop must write every queued row. A long interval makes sure the rows are still queued when the stop
/// begins, so only the shutdown flush can have written them.
/// </summary>
public sealed class AccessLogShutdownTests
{
    [Fact]
    public async Task Reads_JustBeforeAGracefulStop_AreAllInTheAccessLog()
    {
        await using var store = await TestDataStore.CreateAsync("mnemo-access-log-");
        Assert.Equal(0, (await MnemoProcess.RunOnAsync(store, null, "users", "add", "alice")).ExitCode);
        var key = (await MnemoProcess.RunOnAsync(store, null, "keys", "create", "alice")).StdOut.Trim();
        var server = await MnemoProcess.StartServerAsync(store, "--Mnemo:Memory:AccessLog:FlushMilliseconds=5000", "--Mnemo:Mcp:SessionMode=Stateless");
        await using (server)
        {
            using var connector = new ConnectorDriver(server.BaseUrl, server.BaseUrl.GetLeftPart(UriPartial.Authority));
            for (var i = 0; i < 25; i++)
            {
                using var response = await connector.CallToolRawAsync(key, "list_memories", """{"limit":1}""");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            Assert.Equal(0, await server.StopGracefullyAsync());
        }

        Assert.Equal(25L, await CountAsync(store, "SELECT COUNT(*) FROM memory_access_log WHERE action = 'list'"));
    }

    private static async Task<long> CountAsync(TestDataStore store, string sql)
    {
        await using var connection = await store.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
