using Microsoft.Extensions.Options;
using Mnemo.Storage;

namespace Mnemo.Server.Hosting;

/// <summary>
/// Which database both modules use, from <c>Mnemo:Database:Provider</c> and <c>ConnectionStrings:Mnemo</c>, for the
/// server and every CLI verb alike. SQLite keeps one file in <c>Mnemo:DataDir</c>; PostgreSQL needs the connection
/// string, and nothing else is guessed.
/// </summary>
internal static class DatabaseSetup
{
    public const string ConnectionStringName = "Mnemo";

    public static DatabaseConnection Resolve(IConfiguration configuration, MnemoServerOptions options)
    {
        var connectionString = configuration.GetConnectionString(ConnectionStringName);
        switch (options.Database.Provider)
        {
            case DatabaseProvider.Postgres when string.IsNullOrWhiteSpace(connectionString):
                throw Invalid(
                    "Mnemo:Database:Provider is Postgres but ConnectionStrings:Mnemo is empty. Set it, e.g. the environment variable " +
                    "ConnectionStrings__Mnemo=\"Host=db.example.com;Database=mnemo;Username=mnemo;Password=…\".");
            case DatabaseProvider.Postgres:
                return DatabaseConnection.Postgres(connectionString!);
            case DatabaseProvider.Sqlite when !string.IsNullOrWhiteSpace(connectionString):
                // Refused rather than ignored: someone who set it expects it to be used.
                throw Invalid(
                    "ConnectionStrings:Mnemo is set but Mnemo:Database:Provider is Sqlite, which keeps its file in Mnemo:DataDir. " +
                    "Set Mnemo:Database:Provider=Postgres to use that server, or remove the connection string.");
            case DatabaseProvider.Sqlite:
                return DatabaseConnection.Sqlite(DataDirectory.ConnectionString(options.DataDir));
            default:
                throw Invalid($"Mnemo:Database:Provider '{options.Database.Provider}' is not supported. Use Sqlite or Postgres.");
        }
    }

    private static OptionsValidationException Invalid(string message) =>
        new("Mnemo:Database", typeof(MnemoServerOptions.DatabaseSettings), [message]);
}
