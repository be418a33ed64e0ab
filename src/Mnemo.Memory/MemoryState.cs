namespace Mnemo.Memory;

/// <summary>
/// Lifecycle of a memory. Deleted is a soft delete: the row and its history stay, every tool hides it.
/// It sits at the module's root because every layer needs it (the API in Memories/, filters in Search/, rows in
/// Storage/): dependencies run Memories → Search → Storage, and none of them reaches back up for this enum.
/// </summary>
public enum MemoryState
{
    Active,
    Paused,
    Archived,
    Deleted,
}
