using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Mnemo.Memory.Storage;

/// <summary>
/// An EF compiled query, compiled once per model. EF binds a compiled query to the first model it runs with and throws
/// on another, and one process may hold two (the SQLite and the PostgreSQL model: the test suite, a copy between them).
/// </summary>
internal sealed class PerModelQuery<TQuery>(Func<TQuery> compile)
    where TQuery : class
{
    private readonly ConcurrentDictionary<IModel, TQuery> _byModel = new();

    public TQuery For(DbContext db) => _byModel.GetOrAdd(db.Model, _ => compile());
}
