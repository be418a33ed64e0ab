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
    public void SourceFolder_DoesNotReferenceALayerAboveOrBesideIt(string folder, string forbidden)
    {
        var root = Path.Combine(RepositoryRoot(), "src", "Mnemo.Memory", folder);
        var files = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories).ToList();
        Assert.NotEmpty(files);

        var offending = files.Where(f => File.ReadAllText(f).Contains(forbidden, StringComparison.Ordinal)).Select(Path.GetFileName);

        Assert.Empty(offending);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Mnemo.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Mnemo.slnx not found above " + AppContext.BaseDirectory);
    }
}
