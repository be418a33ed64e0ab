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
}
