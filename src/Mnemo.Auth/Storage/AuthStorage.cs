namespace Mnemo.Auth.Storage;

/// <summary>Where the module keeps accounts, keys, clients and grants: chosen once by the host (<see cref="MnemoAuthOptions.UseSqlite"/>).</summary>
internal sealed record AuthStorage(AuthStorageProvider Provider, string ConnectionString);

internal enum AuthStorageProvider
{
    Sqlite,
}
