using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Mnemo.Memory.Storage.Postgres;

/// <summary>
/// Used only by <c>dotnet dotnet-ef migrations add … --context PostgresMemoryDbContext --output-dir Storage/Postgres/Migrations</c>;
/// builds the model without connecting.
/// </summary>
internal sealed class DesignTimePostgresMemoryDbContextFactory : IDesignTimeDbContextFactory<PostgresMemoryDbContext>
{
    public PostgresMemoryDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresMemoryDbContext>()
            .UseNpgsql("Host=localhost", npgsql => npgsql.MigrationsHistoryTable(MemoryDbContext.MigrationsHistoryTable))
            .Options);
}
