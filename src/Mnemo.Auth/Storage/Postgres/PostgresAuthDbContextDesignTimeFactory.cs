using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Mnemo.Storage;

namespace Mnemo.Auth.Storage.Postgres;

/// <summary>
/// Lets <c>dotnet ef migrations add … --context PostgresAuthDbContext --output-dir Storage/Postgres/Migrations</c> build
/// the model without a host or a server.
/// </summary>
internal sealed class PostgresAuthDbContextDesignTimeFactory : IDesignTimeDbContextFactory<PostgresAuthDbContext>
{
    public PostgresAuthDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<PostgresAuthDbContext>();
        AuthDbContextSetup.Configure(options, DatabaseConnection.Postgres("Host=localhost"));
        return new PostgresAuthDbContext(options.Options);
    }
}
