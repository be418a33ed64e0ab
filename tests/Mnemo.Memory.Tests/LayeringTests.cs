using Mnemo.Testing;

namespace Mnemo.Memory.Tests;

/// <summary>
/// Inside the memory module dependencies run one way, Memories → Search → Storage, and the hand-tuned cores under
/// Search/Keyword and Search/Vectors are pure (no EF, no storage rows), so tests and benchmarks can use them alone.
/// Read from the source: a using directive or a fully qualified name both show up as text.
/// </summary>
public sealed class LayeringTests
{
    [Theory]
    [InlineData("Search", "Mnemo.Memory.Memories")]
    [InlineData("Storage", "Mnemo.Memory.Memories")]
    [InlineData("Storage", "Mnemo.Memory.Search")]
    [InlineData("Search/Keyword", "Mnemo.Memory.Storage")]
    [InlineData("Search/Keyword", "EntityFrameworkCore")]
    [InlineData("Search/Vectors", "Mnemo.Memory.Storage")]
    [InlineData("Search/Vectors", "EntityFrameworkCore")]
    public void SourceFolder_DoesNotReferenceALayerAboveOrBesideIt(string folder, string forbidden) =>
        Assert.Empty(TestRepository.SourceFilesContaining(Path.Combine("Mnemo.Memory", folder), forbidden));

    /// <summary>
    /// The engine is chosen and spoken to only under Storage/ (MemoryStorage, ChangeFeed, MaintenanceLock,
    /// MemoryWriteTransaction…): the rest of the module is written once, for both SQLite and PostgreSQL.
    /// </summary>
    [Theory]
    [InlineData("IsSqlite(")]
    [InlineData("IsNpgsql(")]
    [InlineData("Npgsql")]
    [InlineData("Microsoft.Data.Sqlite")]
    [InlineData("PRAGMA")]
    [InlineData("pg_")]
    public void SourceOutsideStorage_HasNothingProviderSpecific(string forbidden) =>
        Assert.Empty(TestRepository.SourceFilesContaining("Mnemo.Memory", forbidden, except: "Storage"));
}
