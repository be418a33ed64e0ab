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
    public void SourceOutsideStorage_HasNothingProviderSpecific(string forbidden)
    {
        var root = Path.Combine(TestRepository.Root, "src", "Mnemo.Auth");
        var storage = Path.Combine(root, "Storage") + Path.DirectorySeparatorChar;
        var obj = $"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}";
        var files = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.StartsWith(storage, StringComparison.Ordinal) && !f.Contains(obj, StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(files);

        var offending = files.Where(f => File.ReadAllText(f).Contains(forbidden, StringComparison.Ordinal)).Select(Path.GetFileName);

        Assert.Empty(offending);
    }
}
