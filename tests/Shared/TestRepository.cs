namespace Mnemo.Testing;

/// <summary>The checkout the tests run from: found by walking up from the test binaries to <c>Mnemo.slnx</c>.</summary>
internal static class TestRepository
{
    public static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Mnemo.slnx")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException($"Mnemo.slnx not found above {AppContext.BaseDirectory}");
        }
    }

    /// <summary>
    /// Names of the C# files under <c>src/<paramref name="module"/></c> (build output left out, and the folder
    /// <paramref name="except"/> when given) whose text holds <paramref name="text"/>: a using directive and a fully
    /// qualified name both show up. Fails when the folder holds no source at all, so a moved module cannot pass empty.
    /// </summary>
    public static IEnumerable<string> SourceFilesContaining(string module, string text, string? except = null)
    {
        var root = Path.Combine(Root, "src", module);
        var skipped = except is null ? null : Path.Combine(root, except) + Path.DirectorySeparatorChar;
        var obj = $"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}";
        var files = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => (skipped is null || !f.StartsWith(skipped, StringComparison.Ordinal)) && !f.Contains(obj, StringComparison.Ordinal))
            .ToList();
        if (files.Count == 0)
        {
            throw new InvalidOperationException($"No C# source under {root}.");
        }

        return files.Where(f => File.ReadAllText(f).Contains(text, StringComparison.Ordinal)).Select(Path.GetFileName)!;
    }
}
