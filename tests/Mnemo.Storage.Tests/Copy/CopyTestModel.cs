using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Mnemo.Storage.Postgres;
using Mnemo.Testing;

namespace Mnemo.Storage.Tests.Copy;

public enum Plan
{
    Free,
    Paid,
}

public sealed class Owner
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public string? Email { get; set; }
    public bool Disabled { get; set; }
    public Plan Plan { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public byte[]? Photo { get; set; }
}

/// <summary>Its owner is a shadow foreign key (no CLR property), as OpenIddict's tokens reference their authorization.</summary>
public sealed class Item
{
    public long Id { get; set; }
    public Owner? Owner { get; set; }
    public required string Text { get; set; }
    public DateTime? Expires { get; set; }
    public double Score { get; set; }
    public required byte[] Payload { get; set; }

    /// <summary>Stored as Unix milliseconds, as Mnemo's audit events are.</summary>
    public DateTimeOffset At { get; set; }
}

public sealed class Label
{
    public long ItemId { get; set; }
    public required string Name { get; set; }
}

/// <summary>
/// A small model with what the copier must get right: string, identity and composite keys, a shadow foreign key,
/// DateTime and DateTimeOffset columns, bytes, an enum stored as text, a value converter. The table names sort
/// against their dependency order (a_labels needs c_items, which needs b_owners).
/// </summary>
public sealed class CopyTestContext(DbContextOptions<CopyTestContext> options) : DbContext(options)
{
    public DbSet<Owner> Owners => Set<Owner>();
    public DbSet<Item> Items => Set<Item>();
    public DbSet<Label> Labels => Set<Label>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Label>(e =>
        {
            e.ToTable("a_labels");
            e.HasKey(l => new { l.ItemId, l.Name });
            e.Property(l => l.Name).HasMaxLength(64);
            e.HasOne<Item>().WithMany().HasForeignKey(l => l.ItemId);
        });
        modelBuilder.Entity<Owner>(e =>
        {
            e.ToTable("b_owners");
            e.Property(o => o.Id).HasMaxLength(64);
            e.Property(o => o.Name).HasMaxLength(16);
            e.Property(o => o.Plan).HasConversion<string>().HasMaxLength(16);
        });
        modelBuilder.Entity<Item>(e =>
        {
            e.ToTable("c_items");
            e.Property(i => i.Id).ValueGeneratedOnAdd();
            e.HasOne(i => i.Owner).WithMany().HasForeignKey("OwnerId");
            e.Property(i => i.At).HasConversion(t => t.ToUnixTimeMilliseconds(), ms => DateTimeOffset.FromUnixTimeMilliseconds(ms));
        });
        if (Database.IsNpgsql())
        {
            PostgresModelConventions.UseByteOrderCollation(modelBuilder);
        }
    }
}

/// <summary>A database of <see cref="CopyTestContext"/>: a temporary SQLite file, or a PostgreSQL database of its own.</summary>
public sealed class CopyTestDatabase : IAsyncDisposable
{
    private readonly string? _directory;

    private CopyTestDatabase(DatabaseConnection connection, string? directory)
    {
        Connection = connection;
        _directory = directory;
    }

    public DatabaseConnection Connection { get; }

    public static async Task<CopyTestDatabase> SqliteAsync(bool create = true)
    {
        var directory = Directory.CreateTempSubdirectory("mnemo-copy-").FullName;
        var database = new CopyTestDatabase(DatabaseConnection.Sqlite($"Data Source={Path.Combine(directory, "copy.db")}"), directory);
        if (create)
        {
            await using var db = database.Open();
            await db.Database.EnsureCreatedAsync();
        }

        return database;
    }

    public static async Task<CopyTestDatabase> PostgresAsync()
    {
        var database = new CopyTestDatabase(DatabaseConnection.Postgres(await TestPostgres.CreateDatabaseAsync()), null);
        await using var db = database.Open();
        // EnsureCreated would refuse: the database exists (empty); create the tables alone.
        await db.GetService<IRelationalDatabaseCreator>().CreateTablesAsync();
        return database;
    }

    public CopyTestContext Open()
    {
        var builder = new DbContextOptionsBuilder<CopyTestContext>();
        if (Connection.Provider == DatabaseProvider.Postgres)
        {
            builder.UseNpgsql(Connection.ConnectionString);
        }
        else
        {
            builder.UseSqlite(Connection.ConnectionString);
        }

        return new CopyTestContext(builder.Options);
    }

    public async ValueTask DisposeAsync()
    {
        if (Connection.Provider == DatabaseProvider.Postgres)
        {
            await TestPostgres.DropDatabaseAsync(Connection.ConnectionString);
            return;
        }

        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory!, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
