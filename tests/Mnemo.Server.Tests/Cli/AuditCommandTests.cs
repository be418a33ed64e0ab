using System.Text.Json;
using Mnemo.Server.Cli;
using Mnemo.Server.Tests.Infrastructure;

namespace Mnemo.Server.Tests.Cli;

/// <summary><c>mnemo audit</c> as a person and a script use it: a table, JSON lines, filters, and exit code 2 for bad input.</summary>
public sealed class AuditCommandTests : IAsyncLifetime
{
    private TestDataStore _store = null!;

    public async Task InitializeAsync() => _store = await TestDataStore.CreateAsync("mnemo-cli-audit-");

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private Task<MnemoProcess.Result> RunAsync(params string[] args) => MnemoProcess.RunOnAsync(_store, null, args);

    private static List<JsonElement> Lines(string stdout) =>
        [.. stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement)];

    [Fact]
    public async Task Audit_ShowsWhatTheVerbsDid_AsATableOrJsonLines_FilteredByUserAndTime_WithoutTheKey()
    {
        Assert.Equal(0, (await RunAsync("users", "add", "alice")).ExitCode);
        Assert.Equal(0, (await RunAsync("users", "add", "bob")).ExitCode);
        var key = (await RunAsync("keys", "create", "alice")).StdOut.Trim();
        Assert.Equal(0, (await RunAsync("users", "sign-out", "alice")).ExitCode);

        var table = await RunAsync("audit");
        Assert.Equal(0, table.ExitCode);
        Assert.Matches(@"^TIME \(UTC\)\s+EVENT\s+USER\s+CLIENT\s+IP\s+DETAIL\n", table.StdOut);
        Assert.Matches(@"\n\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+account_created\s+alice\s*\n", table.StdOut);
        Assert.Contains("signed_out_everywhere", table.StdOut);
        Assert.DoesNotContain(key, table.StdOut);

        var json = await RunAsync("audit", "--user", "alice", "--json", "--since", "1h");
        Assert.Equal(0, json.ExitCode);
        var events = Lines(json.StdOut);
        Assert.Equal(["account_created", "api_key_created", "signed_out_everywhere"], events.Select(e => e.GetProperty("kind").GetString()));
        Assert.Single(events.Select(e => e.GetProperty("user_id").GetString()).Distinct());
        Assert.All(events, e => Assert.Equal(JsonValueKind.Null, e.GetProperty("client_ip").ValueKind));
        Assert.All(events, e => Assert.True(DateTimeOffset.TryParse(e.GetProperty("time").GetString(), out _)));
        Assert.DoesNotContain(key, json.StdOut);

        var future = await RunAsync("audit", "--since", "2999-01-01T00:00:00Z", "--json");
        Assert.Equal("", future.StdOut);
        var last = Lines((await RunAsync("audit", "--limit", "1", "--json")).StdOut);
        Assert.Equal("signed_out_everywhere", Assert.Single(last).GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Audit_AfterUsersDelete_FindsTheDeletedAccountsEventsByItsOldIdOnly()
    {
        Assert.Equal(0, (await RunAsync("users", "add", "alice")).ExitCode);
        var id = (await RunAsync("users", "list")).StdOut.Split('\n')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        Assert.Equal(0, (await RunAsync("users", "delete", "alice")).ExitCode);

        var byId = await RunAsync("audit", "--user", id, "--json");
        var all = await RunAsync("audit", "--json");

        Assert.Equal(0, byId.ExitCode);
        Assert.Contains("deleted account", byId.StdErr);
        var events = Lines(byId.StdOut);
        Assert.Equal(["account_created", "account_deleted"], events.Select(e => e.GetProperty("kind").GetString()));
        Assert.All(events, e => Assert.StartsWith("deleted:", e.GetProperty("user_id").GetString()));
        Assert.DoesNotContain(id, all.StdOut);
    }

    [Theory]
    [InlineData("audit", "--since", "yesterday")]
    [InlineData("audit", "--since", "2026-05-01T08:00:00")]
    [InlineData("audit", "--limit", "0")]
    [InlineData("audit", "--limit", "many")]
    [InlineData("audit", "alice")]
    public async Task BadInput_ExitsWithTwoAndAUsageMessage(params string[] args)
    {
        var result = await RunAsync(args);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.StdOut);
        Assert.StartsWith("mnemo:", result.StdErr.TrimStart());
    }

    [Theory]
    [InlineData("7d", "2026-05-08T12:00:00Z", "2026-05-01T12:00:00Z")]
    [InlineData("90m", "2026-05-08T12:00:00Z", "2026-05-08T10:30:00Z")]
    [InlineData("2w", "2026-05-15T00:00:00Z", "2026-05-01T00:00:00Z")]
    [InlineData("2026-05-01", "2026-05-08T12:00:00Z", "2026-05-01T00:00:00Z")]
    [InlineData("2026-05-01T10:00:00+02:00", "2026-05-08T12:00:00Z", "2026-05-01T08:00:00Z")]
    [InlineData("2026-05-01T08:00:00.5Z", "2026-05-08T12:00:00Z", "2026-05-01T08:00:00.5Z")]
    public void Since_AcceptsDurationsDatesAndRfc3339Times(string text, string now, string expected) =>
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture),
            SinceParser.Parse(text, DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture)));

    [Theory]
    [InlineData("7")]
    [InlineData("-7d")]
    [InlineData("7y")]
    [InlineData("2026-05-01 08:00")]
    [InlineData("01/05/2026")]
    public void Since_RefusesAnythingElse(string text) => Assert.Null(SinceParser.Parse(text, DateTimeOffset.UtcNow));

    [Fact]
    public void Since_AHugeDuration_MeansEverything() =>
        Assert.Equal(DateTimeOffset.MinValue, SinceParser.Parse("999999999w", DateTimeOffset.UtcNow));
}
