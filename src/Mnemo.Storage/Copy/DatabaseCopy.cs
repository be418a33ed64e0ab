using Microsoft.EntityFrameworkCore;

namespace Mnemo.Storage.Copy;

/// <summary>
/// A copy of several modules' tables from one database to another, as one unit: every module reads the source through
/// one read-only snapshot, and writes the target inside one transaction that is committed only by
/// <see cref="CommitAsync"/> (disposing without it rolls every module's rows back). Each module copies its own model
/// with <see cref="CopyAsync"/>, since only it can open its contexts.
/// </summary>
public sealed class DatabaseCopy : IAsyncDisposable
{
    private readonly SharedTransaction _source;
    private readonly SharedTransaction _target;

    private DatabaseCopy(SharedTransaction source, SharedTransaction target)
    {
        _source = source;
        _target = target;
    }

    /// <summary>Rows read and written per batch.</summary>
    public int BatchSize { get; init; } = DatabaseCopier.DefaultBatchSize;

    /// <summary>Told after every batch and at the end of every table.</summary>
    public IProgress<TableCopyProgress>? Progress { get; init; }

    public static async Task<DatabaseCopy> BeginAsync(DatabaseConnection source, DatabaseConnection target, CancellationToken ct) =>
        await BeginAsync(source, target, DatabaseCopier.DefaultBatchSize, null, ct);

    public static async Task<DatabaseCopy> BeginAsync(
        DatabaseConnection source, DatabaseConnection target, int batchSize, IProgress<TableCopyProgress>? progress, CancellationToken ct)
    {
        var read = await SharedTransaction.BeginAsync(source, readOnly: true, ct);
        try
        {
            var write = await SharedTransaction.BeginAsync(target, readOnly: false, ct);
            return new DatabaseCopy(read, write) { BatchSize = batchSize, Progress = progress };
        }
        catch
        {
            await read.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Copies every table of the model from <paramref name="source"/> to <paramref name="target"/> (two fresh contexts
    /// of one module, which join this copy's connections), then checksums both sides, within the same transaction.
    /// </summary>
    public async Task<IReadOnlyList<TableVerification>> CopyAsync(DbContext source, DbContext target, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        await _source.JoinAsync(source, ct);
        await _target.JoinAsync(target, ct);
        await DatabaseCopier.CopyAsync(source, target, BatchSize, Progress, ct);
        return await DatabaseCopier.VerifyAsync(source, target, BatchSize, ct);
    }

    /// <summary>Makes the copy permanent. Call it only once every module's tables are copied and verified.</summary>
    public Task CommitAsync(CancellationToken ct) => _target.CommitAsync(ct);

    public async ValueTask DisposeAsync()
    {
        await _target.DisposeAsync();
        await _source.DisposeAsync();
    }
}
