using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Mnemo.Memory.Storage;

/// <summary>Used only by <c>dotnet dotnet-ef migrations add … --project src/Mnemo.Memory</c>.</summary>
internal sealed class DesignTimeMemoryDbContextFactory : IDesignTimeDbContextFactory<MemoryDbContext>
{
    public MemoryDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<MemoryDbContext>()
            .UseSqlite("Data Source=design-time-memory.db", sqlite => sqlite.MigrationsHistoryTable(MemoryDbContext.MigrationsHistoryTable))
            .Options;
        return new MemoryDbContext(options);
    }
}
