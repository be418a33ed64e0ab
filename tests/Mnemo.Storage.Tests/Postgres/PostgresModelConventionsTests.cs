using Microsoft.EntityFrameworkCore;
using Mnemo.Storage.Postgres;
using Mnemo.Testing;
using Npgsql;

namespace Mnemo.Storage.Tests.Postgres;

/// <summary>
/// Both engines must order ids the same way (paging with id &gt; last, listing by (created_at, id)), whatever locale
/// the operator's cluster was created with. Here the database orders by ICU's root locale (a, A, a-b, ab, b, B),
/// not by bytes, so the model's columns can only order byte-wise if the convention set them to "C".
/// </summary>
[Trait("Provider", "Postgres")]
public sealed class PostgresModelConventionsTests : IAsyncLifetime
{
    private static readonly string[] Values = ["b", "B", "ab", "a-b", "A", "a"];
    private string _database = null!;

    public async Task InitializeAsync()
    {
        var name = $"mnemo_test_{Guid.NewGuid():N}";
        await using var admin = new NpgsqlConnection(TestPostgres.AdminConnectionString);
        await admin.OpenAsync();
        // ICU collation as the database default (PostgreSQL 15+ built with ICU, as Debian's and the official images are).
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\" TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'und' LOCALE 'C'", admin);
        await create.ExecuteNonQueryAsync();
        _database = TestPostgres.ConnectionStringFor(name);
    }

    public async Task DisposeAsync() => await TestPostgres.DropDatabaseAsync(_database);

    [Fact]
    public async Task ByteOrderCollation_OrdersTextByteWise_WhereTheDatabaseDoesNot()
    {
        await using (var db = new WordsContext(_database))
        {
            await db.Database.EnsureCreatedAsync();
            db.Words.AddRange(Values.Select(v => new Word { Value = v }));
            await db.SaveChangesAsync();
        }

        await using var read = new WordsContext(_database);
        var databaseOrder = await read.Database
            .SqlQueryRaw<string>("SELECT v AS \"Value\" FROM unnest(@values) AS t(v) ORDER BY v", new NpgsqlParameter("values", Values))
            .ToListAsync();
        var columnOrder = await read.Words.OrderBy(w => w.Value).Select(w => w.Value).ToListAsync();
        var after = await read.Words.Where(w => string.Compare(w.Value, "a") > 0).OrderBy(w => w.Value).Select(w => w.Value).ToListAsync();

        Assert.NotEqual(Values.Order(StringComparer.Ordinal), databaseOrder);
        Assert.Equal(Values.Order(StringComparer.Ordinal), columnOrder);
        Assert.Equal(["a-b", "ab", "b"], after);
    }

    private sealed class Word
    {
        public int Id { get; set; }

        public required string Value { get; set; }
    }

    private sealed class WordsContext(string connectionString) : DbContext
    {
        public DbSet<Word> Words => Set<Word>();

        protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder) => optionsBuilder.UseNpgsql(connectionString);

        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            modelBuilder.Entity<Word>().ToTable("words");
            PostgresModelConventions.UseByteOrderCollation(modelBuilder);
        }
    }
}
