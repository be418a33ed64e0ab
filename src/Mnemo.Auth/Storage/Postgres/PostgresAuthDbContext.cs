using Microsoft.EntityFrameworkCore;
using Mnemo.Storage.Postgres;

namespace Mnemo.Auth.Storage.Postgres;

/// <summary>The auth model on PostgreSQL: the portable model with byte-order text, and its own migrations (in this folder).</summary>
internal sealed class PostgresAuthDbContext(DbContextOptions<PostgresAuthDbContext> options) : AuthDbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        PostgresModelConventions.UseByteOrderCollation(modelBuilder);
    }
}
