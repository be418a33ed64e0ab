using Microsoft.EntityFrameworkCore;

namespace Mnemo.Storage.Postgres;

/// <summary>What every module's PostgreSQL model adds to its portable model.</summary>
public static class PostgresModelConventions
{
    /// <summary>
    /// Byte-wise ("C") collation on every text column. SQLite compares text byte by byte; PostgreSQL compares by the
    /// database's locale, where e.g. en_US orders "a-b" after "ab" by ignoring punctuation. Ids are paged with
    /// <c>id &gt; last</c> and listed by <c>(created_at, id)</c>, so both engines must agree on one order, whatever
    /// locale the operator's cluster was created with.
    /// </summary>
    public static void UseByteOrderCollation(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties().Where(p => p.ClrType == typeof(string)))
            {
                property.SetCollation("C");
            }
        }
    }
}
