namespace Mnemo.Server.Hosting;

/// <summary>Where Mnemo keeps its state on disk, and the SQLite connection string both modules share.</summary>
public static class DataDirectory
{
    public const string DatabaseFileName = "mnemo.db";

    /// <summary>
    /// One SQLite file for both modules (each with its own tables and migrations history). WAL mode lets the
    /// CLI write while <c>serve</c> runs; the default timeout makes a writer wait for a busy lock instead of failing.
    /// </summary>
    public static string ConnectionString(string dataDir)
    {
        var full = Path.GetFullPath(dataDir);
        Directory.CreateDirectory(full);
        return $"Data Source={Path.Combine(full, DatabaseFileName)};Default Timeout=30;Pooling=True";
    }
}
