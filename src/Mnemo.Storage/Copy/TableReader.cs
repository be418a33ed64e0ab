using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Mnemo.Storage.Copy;

/// <summary>A row read through EF: the entity and its column values (in <see cref="CopyTable.Columns"/> order, shadow properties included).</summary>
internal readonly record struct CopyRow(object Entity, object?[] Values);

/// <summary>
/// Reads a whole table in primary-key order, a batch at a time, so memory stays bounded however large the table is.
/// Each batch is one query of the form <c>WHERE key &gt; last ORDER BY key LIMIT n</c> (keyset paging: every batch
/// costs the same, unlike OFFSET) and the context forgets the batch's entities before the next one.
/// </summary>
/// <remarks>
/// Rows go through EF rather than a raw reader so that each provider's own type mapping reads its own storage (SQLite
/// keeps times as text, PostgreSQL as timestamptz; value converters such as enum-as-string apply), and both sides
/// hand back the same CLR values. Queries are tracked because that is how EF exposes shadow properties' values
/// (<see cref="Microsoft.EntityFrameworkCore.ChangeTracking.EntityEntry.CurrentValues"/>).
/// </remarks>
internal static class TableReader
{
    private static readonly MethodInfo ReadBatchMethod =
        typeof(TableReader).GetMethod(nameof(ReadBatchAsync), BindingFlags.NonPublic | BindingFlags.Static)!;

    private static readonly MethodInfo PropertyMethod = typeof(EF).GetMethod(nameof(EF.Property))!;

    private static readonly MethodInfo CompareMethod = typeof(string).GetMethod(nameof(string.Compare), [typeof(string), typeof(string)])!;

    /// <summary>The rows of <paramref name="table"/> in key order, in batches of at most <paramref name="batchSize"/>.</summary>
    /// <remarks>Each batch's entities come back detached from <paramref name="db"/>, with their values (shadow ones included) captured.</remarks>
    public static async IAsyncEnumerable<IReadOnlyList<CopyRow>> ReadAsync(
        DbContext db, CopyTable table, int batchSize, [EnumeratorCancellation] CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var read = ReadBatchMethod.MakeGenericMethod(table.EntityType.ClrType);
        object?[]? after = null;
        while (true)
        {
            db.ChangeTracker.Clear();
            var batch = await (Task<List<CopyRow>>)read.Invoke(null, [db, table, after, batchSize, ct])!;
            if (batch.Count == 0)
            {
                yield break;
            }

            yield return batch;
            if (batch.Count < batchSize)
            {
                db.ChangeTracker.Clear();
                yield break;
            }

            var last = batch[^1].Values;
            after = [.. table.Key.Select(k => last[IndexOf(table, k)])];
        }
    }

    private static int IndexOf(CopyTable table, IProperty property)
    {
        for (var i = 0; i < table.Columns.Count; i++)
        {
            if (table.Columns[i].Name == property.Name)
            {
                return i;
            }
        }

        throw new InvalidOperationException($"Key property {property.Name} is not a column of {table.Name}.");
    }

    private static async Task<List<CopyRow>> ReadBatchAsync<TEntity>(DbContext db, CopyTable table, object?[]? after, int batchSize, CancellationToken ct)
        where TEntity : class
    {
        IQueryable<TEntity> query = db.Set<TEntity>().AsTracking();
        var entity = Expression.Parameter(typeof(TEntity), "e");
        if (after is not null)
        {
            query = query.Where(Expression.Lambda<Func<TEntity, bool>>(After(entity, table.Key, after), entity));
        }

        for (var i = 0; i < table.Key.Count; i++)
        {
            var key = table.Key[i];
            var selector = Expression.Lambda(Property(entity, key), entity);
            var order = (i == 0 ? typeof(Queryable).GetMethods().Single(m => m.Name == nameof(Queryable.OrderBy) && m.GetParameters().Length == 2)
                    : typeof(Queryable).GetMethods().Single(m => m.Name == nameof(Queryable.ThenBy) && m.GetParameters().Length == 2))
                .MakeGenericMethod(typeof(TEntity), key.ClrType);
            query = (IQueryable<TEntity>)order.Invoke(null, [query, selector])!;
        }

        var entities = await query.Take(batchSize).ToListAsync(ct);
        var rows = new List<CopyRow>(entities.Count);
        foreach (var e in entities)
        {
            var values = db.Entry(e).CurrentValues;
            rows.Add(new CopyRow(e, [.. table.Columns.Select(c => values[c.Name])]));
        }

        // The values are captured: let go of the entities, so a copier can track them in the target's context alone.
        db.ChangeTracker.Clear();
        return rows;
    }

    private static Expression Property(ParameterExpression entity, IProperty property) =>
        Expression.Call(PropertyMethod.MakeGenericMethod(property.ClrType), entity, Expression.Constant(property.Name));

    /// <summary>
    /// <c>(k1, k2, …) &gt; (v1, v2, …)</c> spelled out, which every provider translates:
    /// <c>k1 &gt; v1 OR (k1 = v1 AND k2 &gt; v2) OR …</c>. The values are fields of boxes, so EF sends them as
    /// parameters and compiles the query once for the whole table.
    /// </summary>
    private static Expression After(ParameterExpression entity, IReadOnlyList<IProperty> key, object?[] last)
    {
        Expression? result = null;
        for (var i = 0; i < key.Count; i++)
        {
            Expression term = Greater(Property(entity, key[i]), Boxed(key[i], last[i]));
            for (var j = i - 1; j >= 0; j--)
            {
                term = Expression.AndAlso(Expression.Equal(Property(entity, key[j]), Boxed(key[j], last[j])), term);
            }

            result = result is null ? term : Expression.OrElse(result, term);
        }

        return result!;
    }

    private static Expression Greater(Expression column, Expression value)
    {
        if (column.Type == typeof(string))
        {
            // string has no > operator in C#; EF translates string.Compare(a, b) > 0 to a > b.
            return Expression.GreaterThan(Expression.Call(CompareMethod, column, value), Expression.Constant(0));
        }

        var type = Nullable.GetUnderlyingType(column.Type) ?? column.Type;
        if (!(type.IsPrimitive || type == typeof(decimal)))
        {
            throw new NotSupportedException($"Primary key of type {column.Type.Name}: the copier pages by string and numeric keys.");
        }

        return Expression.GreaterThan(column, value);
    }

    private static Expression Boxed(IProperty property, object? value)
    {
        var box = (IStrongBox)Activator.CreateInstance(typeof(StrongBox<>).MakeGenericType(property.ClrType), value)!;
        return Expression.Field(Expression.Constant(box), nameof(StrongBox<object>.Value));
    }
}
