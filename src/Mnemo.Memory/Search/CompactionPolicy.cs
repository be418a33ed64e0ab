namespace Mnemo.Memory.Search;

/// <summary>
/// The one tombstone rule of both in-memory indexes. A removed or replaced memory leaves a tombstone (its slot or
/// vector rows stay, skipped by every scan) rather than shifting the flat arrays under it; once tombstones pass a
/// quarter of the slots, and at least 1,024 of them, the structure is rebuilt without them. A quarter bounds the
/// wasted scan work at a third of the live work; the floor keeps small indexes from rebuilding on every edit.
/// </summary>
internal static class CompactionPolicy
{
    public const int MinTombstones = 1024;

    public static bool ShouldCompact(int tombstones, int slots) => tombstones > MinTombstones && tombstones > slots / 4;
}
