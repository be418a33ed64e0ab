using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Mnemo.Auth.Credentials;
using Mnemo.Storage;
using Npgsql;

namespace Mnemo.Auth.Tests.Credentials;

/// <summary>
/// A bearer credential verified moments ago is not verified again (CachedBearerAuthenticationHandler): a change made
/// through this process ends it at once; one written by another process is seen once the recheck interval has passed.
/// </summary>
public sealed class CachedBearerAuthenticationTests
{
    /// <param name="ownRevision">
    /// A change counter of the test's own instead of the process's, which every other test's database writes move: for
    /// a test that must see a credential served from the cache.
    /// </param>
    private static async Task<(WebApplication App, HttpClient Client, AuthTestDatabase Db)> StartAsync(bool ownRevision = false)
    {
        var db = await AuthTestDatabase.CreateAsync();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton<TimeProvider>(db.Time);
        if (ownRevision)
        {
            builder.Services.AddSingleton(new CredentialRevision());
        }

        builder.Services.AddMnemoAuthorizationServer(db.Configure());
        var app = builder.Build();
        app.UseMnemoAuthorizationServer();
        app.MapGet("/whoami", (HttpContext c) => c.User.FindFirst(MnemoClaimTypes.Subject)?.Value).RequireAuthorization();
        await app.StartAsync();
        await db.AccountsAsync(a => a.CreateAsync("alice", null, "correct horse battery"));
        var client = app.GetTestClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await db.KeysAsync(k => k.CreateAsync("alice", "laptop"))).Secret);
        return (app, client, db);
    }

    [Fact]
    public async Task ApiKey_OfAnAccountDisabledThroughThisProcess_IsRefusedOnTheNextRequest()
    {
        var (app, client, db) = await StartAsync();
        await using var _ = app;
        await using var __ = db;
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/whoami")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/whoami")).StatusCode);

        await db.AccountsAsync(a => a.DisableAsync("alice"));

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/whoami")).StatusCode);
    }

    [Fact]
    public async Task ApiKey_OfAnAccountDisabledByAnotherProcess_IsRefusedOnceTheRecheckIntervalHasPassed()
    {
        var (app, client, db) = await StartAsync(ownRevision: true);
        await using var _ = app;
        await using var __ = db;
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/whoami")).StatusCode);

        // Plain SQL on its own connection: what another instance's write looks like to this process.
        await ExecuteElsewhereAsync(db.Database, "UPDATE users SET disabled = TRUE");

        // Within the interval the verified key is still trusted (the documented cost of not reading the database)...
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/whoami")).StatusCode);
        // ...and not one moment beyond it.
        db.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/whoami")).StatusCode);
    }

    [Fact]
    public async Task RefusedCredential_IsNotCached_AndWorksOnceItIsValid()
    {
        var (app, client, db) = await StartAsync();
        await using var _ = app;
        await using var __ = db;
        await ExecuteElsewhereAsync(db.Database, "UPDATE users SET disabled = TRUE");
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/whoami")).StatusCode);

        await ExecuteElsewhereAsync(db.Database, "UPDATE users SET disabled = FALSE");

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/whoami")).StatusCode);
    }

    private static async Task ExecuteElsewhereAsync(DatabaseConnection database, string sql)
    {
        if (database.Provider == DatabaseProvider.Postgres)
        {
            await using var postgres = new NpgsqlConnection(database.ConnectionString);
            await postgres.OpenAsync();
            await using var command = new NpgsqlCommand(sql, postgres);
            await command.ExecuteNonQueryAsync();
            return;
        }

        await using var sqlite = new SqliteConnection(database.ConnectionString);
        await sqlite.OpenAsync();
        await using var update = sqlite.CreateCommand();
        update.CommandText = sql;
        await update.ExecuteNonQueryAsync();
    }
}
