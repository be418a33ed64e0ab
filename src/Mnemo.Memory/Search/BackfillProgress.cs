namespace Mnemo.Memory.Search;

/// <summary>
/// How far the background vector back-fill is, for <c>/status</c>: after a model change it recomputes every vector,
/// which takes minutes at 100k memories, and meanwhile those memories are found by keyword only.
/// </summary>
internal sealed class BackfillProgress : IProgress<(int Done, int Total)>
{
    private volatile Snapshot? _current;

    /// <summary>Null when no back-fill is running or it has nothing left to do.</summary>
    public Snapshot? Current => _current;

    public void Report((int Done, int Total) value) =>
        _current = value.Done >= value.Total ? null : new Snapshot(value.Done, value.Total);

    /// <summary>Marks the pass as over, also when it stopped early (model failure, shutdown).</summary>
    public void Finished() => _current = null;

    internal sealed record Snapshot(int Done, int Total);
}
