using Microsoft.EntityFrameworkCore;
using Mnemo.Storage.Postgres;

namespace Mnemo.Memory.Storage.Postgres;

/// <summary>
/// The memory model on PostgreSQL: the portable model with byte-order text, and its own migrations (in this folder).
/// Its migrations also give <c>memory_changes</c> a <c>tx_id</c> column (the writing transaction's id, see
/// <see cref="PostgresChangeFeed"/>); it is left out of the EF model so that EF never reads it back after an insert.
/// </summary>
public sealed class PostgresMemoryDbContext(DbContextOptions<PostgresMemoryDbContext> options) : MemoryDbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        PostgresModelConventions.UseByteOrderCollation(modelBuilder);
    }
}
