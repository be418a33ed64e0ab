namespace Mnemo.Storage;

/// <summary>The database engines Mnemo's modules run on (<c>Mnemo:Database:Provider</c>).</summary>
public enum DatabaseProvider
{
    /// <summary>One file on one machine: the default, nothing to install.</summary>
    Sqlite,

    /// <summary>A PostgreSQL server (13 or later): several instances behind a load balancer share it.</summary>
    Postgres,
}

/// <summary>Which engine a module keeps its tables in, and where.</summary>
public sealed record DatabaseConnection(DatabaseProvider Provider, string ConnectionString)
{
    public static DatabaseConnection Sqlite(string connectionString) => new(DatabaseProvider.Sqlite, connectionString);

    public static DatabaseConnection Postgres(string connectionString) => new(DatabaseProvider.Postgres, connectionString);

    /// <summary>Never the connection string: it may carry a password.</summary>
    public override string ToString() => Provider.ToString();
}
