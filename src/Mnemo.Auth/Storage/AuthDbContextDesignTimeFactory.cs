using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Mnemo.Auth.Storage;

/// <summary>Lets <c>dotnet ef migrations add … --project src/Mnemo.Auth</c> build the model without a host.</summary>
internal sealed class AuthDbContextDesignTimeFactory : IDesignTimeDbContextFactory<AuthDbContext>
{
    public AuthDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<AuthDbContext>();
        AuthServiceCollectionExtensions.ConfigureDbContext(options, new AuthStorage(AuthStorageProvider.Sqlite, "Data Source=design-time.db"));
        return new AuthDbContext(options.Options);
    }
}
