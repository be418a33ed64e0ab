using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Mnemo.Storage.Copy;

/// <summary>
/// One table of a model as the copier sees it: its entity type, its primary key (the order rows are read and hashed
/// in) and every column, shadow properties included (e.g. OpenIddict's foreign keys, which have no CLR property).
/// Columns are in ordinal order of their column names, so two models of the same tables (SQLite's and PostgreSQL's
/// context) list them alike whatever order each model declares them in.
/// </summary>
internal sealed class CopyTable
{
    private CopyTable(IEntityType entityType, string name, IReadOnlyList<IProperty> key, IReadOnlyList<IProperty> columns)
    {
        EntityType = entityType;
        Name = name;
        Key = key;
        Columns = columns;
    }

    public IEntityType EntityType { get; }

    /// <summary>The table name (schema-less, as the model names it).</summary>
    public string Name { get; }

    public IReadOnlyList<IProperty> Key { get; }

    public IReadOnlyList<IProperty> Columns { get; }

    public string? Schema => EntityType.GetSchema();

    /// <summary>
    /// Every table of <paramref name="model"/>, principals before their dependents (a row's foreign keys always point
    /// at rows already copied), ties broken by name so the order is the same on every run.
    /// </summary>
    /// <exception cref="NotSupportedException">
    /// The model has something this copier does not handle: several entity types on one table (inheritance, table
    /// splitting), a keyless or owned type, or a table that references itself (its rows would need ordering among themselves).
    /// </exception>
    public static IReadOnlyList<CopyTable> InDependencyOrder(IModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var entityTypes = model.GetEntityTypes().Where(e => e.GetTableName() is not null).ToList();
        var byTable = entityTypes.GroupBy(e => (e.GetSchema(), e.GetTableName()!)).ToList();
        if (byTable.FirstOrDefault(g => g.Count() > 1) is { } shared)
        {
            throw new NotSupportedException(
                $"Table '{shared.Key.Item2}' is mapped by several entity types ({string.Join(", ", shared.Select(e => e.DisplayName()))}); the copier handles one entity type per table.");
        }

        var tables = entityTypes.Select(From).ToDictionary(t => t.EntityType);
        var ordered = new List<CopyTable>(tables.Count);
        var done = new HashSet<IEntityType>();
        // Kahn's algorithm over "depends on its principals", taking the ready table with the smallest name each round.
        while (ordered.Count < tables.Count)
        {
            var ready = tables.Values
                .Where(t => !done.Contains(t.EntityType) && Principals(t.EntityType).All(done.Contains))
                .OrderBy(t => t.Name, StringComparer.Ordinal)
                .FirstOrDefault()
                ?? throw new NotSupportedException(
                    "The tables' foreign keys form a cycle (" +
                    string.Join(", ", tables.Values.Where(t => !done.Contains(t.EntityType)).Select(t => t.Name)) +
                    "); the copier needs an order in which every principal comes first.");
            ordered.Add(ready);
            done.Add(ready.EntityType);
        }

        return ordered;
    }

    private static IEnumerable<IEntityType> Principals(IEntityType entityType) =>
        entityType.GetForeignKeys().Select(fk => fk.PrincipalEntityType).Where(p => p.GetTableName() is not null).Distinct();

    private static CopyTable From(IEntityType entityType)
    {
        if (entityType.IsOwned() || entityType.FindPrimaryKey() is not { } key)
        {
            throw new NotSupportedException($"Entity type {entityType.DisplayName()} is owned or keyless; the copier handles tables with a primary key of their own.");
        }

        if (entityType.GetForeignKeys().Any(fk => fk.PrincipalEntityType == entityType))
        {
            throw new NotSupportedException($"Table '{entityType.GetTableName()}' references itself; the copier does not order rows within a table.");
        }

        var table = StoreObjectIdentifier.Table(entityType.GetTableName()!, entityType.GetSchema());
        var columns = entityType.GetProperties()
            .OrderBy(p => p.GetColumnName(table), StringComparer.Ordinal)
            .ToList();
        return new CopyTable(entityType, entityType.GetTableName()!, key.Properties, columns);
    }

    /// <summary>The same table in another model of it (matched by entity type and property names).</summary>
    public CopyTable In(IReadOnlyList<CopyTable> other) =>
        other.FirstOrDefault(t => t.EntityType.Name == EntityType.Name && t.Name == Name)
        ?? throw new InvalidOperationException($"The other model has no table '{Name}' for {EntityType.DisplayName()}.");
}
