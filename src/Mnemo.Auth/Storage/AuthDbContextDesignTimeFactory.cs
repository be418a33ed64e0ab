using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Mnemo.Storage;

namespace Mnemo.Auth.Storage;

/// <summary>Lets <c>dotnet ef migrations add … --project src/Mnemo.Auth</c> build the model without a host.</summary>
internal sealed class AuthDbContextDesignTimeFactory : IDesignTimeDbContextFactory<AuthDbContext>
{
    public AuthDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<AuthDbContext>();
        AuthDbContextSetup.Configure(options, DatabaseConnection.Sqlite("Data Source=design-time.db"));
        return new AuthDbContext(options.Options);
    }
}
