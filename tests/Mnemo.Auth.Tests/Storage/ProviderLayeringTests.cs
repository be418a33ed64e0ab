using Mnemo.Testing;

namespace Mnemo.Auth.Tests.Storage;

/// <summary>
/// The engine is chosen and spoken to only under Storage/ (AuthDbContextSetup, AuthMigrations, the PostgreSQL context,
/// StoredText): the rest of the module is written once, for both SQLite and PostgreSQL. Read from the source: a using
/// directive or a fully qualified name both show up as text.
/// </summary>
public sealed class ProviderLayeringTests
{
    [Theory]
    [InlineData("IsSqlite(")]
    [InlineData("IsNpgsql(")]
    [InlineData("Npgsql")]
    [InlineData("Microsoft.Data.Sqlite")]
    [InlineData("PRAGMA")]
    [InlineData("pg_")]
    [InlineData("Mnemo.Storage.Postgres")]
    public void SourceOutsideStorage_HasNothingProviderSpecific(string forbidden) =>
        Assert.Empty(TestRepository.SourceFilesContaining("Mnemo.Auth", forbidden, except: "Storage"));
}
