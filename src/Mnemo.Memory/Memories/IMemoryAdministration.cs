namespace Mnemo.Memory.Memories;

/// <summary>Operator actions outside any user's session (CLI), never reachable from an MCP tool.</summary>
public interface IMemoryAdministration
{
    /// <summary>Erases every row of a user (memories, tags, history, access log, index entries) for good; returns how many memories.</summary>
    Task<int> PurgeUserAsync(string userId, CancellationToken cancellationToken = default);
}
