using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Mnemo.Storage.Copy;

/// <summary>What a table's copy came to: rows and checksum on each side.</summary>
public sealed record TableVerification(string Table, TableChecksum Source, TableChecksum Target)
{
    public bool Matches => Source.Rows == Target.Rows && Source.Checksum == Target.Checksum;
}

/// <summary>Where a copy is: <paramref name="Rows"/> of <paramref name="Table"/> copied so far; <paramref name="Done"/> once it is all there.</summary>
public readonly record struct TableCopyProgress(string Table, long Rows, bool Done);

/// <summary>
/// Copies every table of one EF model from one database to another (SQLite to PostgreSQL, or any two providers) and
/// checks the result, driven by the model alone: the tables, their order (principals first), their keys and columns
/// (shadow properties included) all come from EF's metadata, so a module's new table or column is copied without a
/// change here. Source and target are two contexts of the same model (e.g. a module's SQLite context and its
/// PostgreSQL subclass).
/// </summary>
/// <remarks>
/// Every key is kept (string ids and identity numbers alike), then PostgreSQL's identity sequences are moved past the
/// copied ids. Columns of the target that are not in the model are left to their defaults. Rows are read and written a
/// batch at a time, so memory stays bounded whatever the size of the tables; run it inside a
/// <see cref="SharedTransaction"/> on the target so that a failure leaves nothing behind.
/// </remarks>
public static class DatabaseCopier
{
    public const int DefaultBatchSize = 500;

    /// <summary>The rows in each of the model's tables; tables the database does not have yet count as absent, not as an error.</summary>
    public static Task<IReadOnlyList<TableRowCount>> CountRowsAsync(DbContext db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        return TableRows.CountAsync(db, CopyTable.InDependencyOrder(db.Model), ct);
    }

    /// <summary>
    /// Copies every row of every table of <paramref name="source"/>'s model to <paramref name="target"/>, whose tables
    /// must exist and be empty; returns the rows copied per table, in the order they were copied.
    /// </summary>
    /// <exception cref="InvalidOperationException">A target table is missing or holds rows, or the two models differ.</exception>
    public static async Task<IReadOnlyList<TableRowCount>> CopyAsync(
        DbContext source, DbContext target, int batchSize = DefaultBatchSize, IProgress<TableCopyProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        var sourceTables = CopyTable.InDependencyOrder(source.Model);
        var targetTables = CopyTable.InDependencyOrder(target.Model);
        var pairs = sourceTables.Select(t => (From: t, To: t.In(targetTables))).ToList();
        foreach (var (from, to) in pairs)
        {
            var fromColumns = from.Columns.Select(c => c.Name);
            if (!fromColumns.SequenceEqual(to.Columns.Select(c => c.Name)))
            {
                throw new InvalidOperationException(
                    $"Table '{from.Name}' has other columns in the target's model ({string.Join(", ", to.Columns.Select(c => c.Name))}) " +
                    $"than in the source's ({string.Join(", ", fromColumns)}); both databases must be on the same version.");
            }
        }

        // Checked here too, and not only by the caller: this is the last moment before writing, inside the target's transaction.
        var occupied = (await TableRows.CountAsync(target, targetTables, ct)).Where(c => !c.Exists || c.Rows > 0).ToList();
        if (occupied.Count > 0)
        {
            throw new InvalidOperationException("The target is not an empty, migrated database: " +
                string.Join(", ", occupied.Select(c => c.Exists ? $"{c.Table} has {c.Rows} rows" : $"{c.Table} does not exist")) + ".");
        }

        var copied = new List<TableRowCount>(pairs.Count);
        var autoDetect = target.ChangeTracker.AutoDetectChangesEnabled;
        target.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            foreach (var (from, to) in pairs)
            {
                long rows = 0;
                await foreach (var batch in TableReader.ReadAsync(source, from, batchSize, ct))
                {
                    Add(target, to, batch);
                    await target.SaveChangesAsync(ct);
                    target.ChangeTracker.Clear();
                    rows += batch.Count;
                    progress?.Report(new TableCopyProgress(from.Name, rows, Done: false));
                }

                source.ChangeTracker.Clear();
                progress?.Report(new TableCopyProgress(from.Name, rows, Done: true));
                copied.Add(new TableRowCount(from.Name, true, rows));
            }
        }
        finally
        {
            target.ChangeTracker.AutoDetectChangesEnabled = autoDetect;
        }

        await IdentitySequences.AdvanceAsync(target, targetTables, ct);
        return copied;
    }

    /// <summary>Every table's row count and checksum (<see cref="TableChecksum"/>), in copy order.</summary>
    public static async Task<IReadOnlyList<TableChecksum>> ChecksumAsync(DbContext db, int batchSize = DefaultBatchSize, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var checksums = new List<TableChecksum>();
        foreach (var table in CopyTable.InDependencyOrder(db.Model))
        {
            checksums.Add(await TableChecksums.ComputeAsync(db, table, batchSize, ct));
        }

        return checksums;
    }

    /// <summary>Compares every table of the two databases by row count and checksum.</summary>
    public static async Task<IReadOnlyList<TableVerification>> VerifyAsync(DbContext source, DbContext target, int batchSize = DefaultBatchSize, CancellationToken ct = default)
    {
        var from = await ChecksumAsync(source, batchSize, ct);
        var to = (await ChecksumAsync(target, batchSize, ct)).ToDictionary(c => c.Table);
        return [.. from.Select(s => new TableVerification(s.Table, s, to.GetValueOrDefault(s.Table) ?? new TableChecksum(s.Table, 0, "")))];
    }

    /// <summary>
    /// Tracks each source row as a new row of the target: the same entity object (its source context has let go of
    /// it) marked Added on its own, without its navigations, so that related rows are not added twice. Shadow
    /// properties (which live in the entry, not the object) are set through the entry once it is tracked; a value the
    /// target needs in another form (<see cref="TargetValues"/>) is set on the object first, because EF compares a new
    /// value with the current one and a DateTime that only changed its kind compares equal, so EF would keep the old.
    /// </summary>
    private static void Add(DbContext target, CopyTable table, IReadOnlyList<CopyRow> batch)
    {
        foreach (var row in batch)
        {
            for (var i = 0; i < table.Columns.Count; i++)
            {
                var column = table.Columns[i];
                var value = TargetValues.For(column, row.Values[i]);
                if (!column.IsShadowProperty() && !ReferenceEquals(value, row.Values[i]))
                {
                    SetMember(column, row.Entity, value);
                }
            }

            var entry = target.Entry(row.Entity);
            entry.State = EntityState.Added;
            for (var i = 0; i < table.Columns.Count; i++)
            {
                if (table.Columns[i].IsShadowProperty())
                {
                    entry.Property(table.Columns[i].Name).CurrentValue = TargetValues.For(table.Columns[i], row.Values[i]);
                }
            }
        }
    }

    private static void SetMember(IProperty property, object entity, object? value)
    {
        if (property.PropertyInfo is { CanWrite: true } clrProperty)
        {
            clrProperty.SetValue(entity, value);
        }
        else if (property.FieldInfo is { } field)
        {
            field.SetValue(entity, value);
        }
        else
        {
            throw new NotSupportedException($"{property.DeclaringType.DisplayName()}.{property.Name} has neither a setter nor a backing field.");
        }
    }
}
