namespace Mnemo.Memory;

/// <summary>Settings of the memory module, bound from <see cref="SectionName"/>. Defaults live here, in code.</summary>
public sealed class MemoryOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Mnemo:Memory";

    /// <summary>
    /// How long a database command waits for another process or thread holding the write lock before failing
    /// (SQLite <c>busy_timeout</c>). Several processes (server and CLI) may open the same file.
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
