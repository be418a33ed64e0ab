using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Mnemo.Auth.Credentials;

/// <summary>
/// Advances <see cref="CredentialRevision"/> after every statement of the module that may change what a credential is
/// worth: anything but a plain <c>SELECT</c> (OpenIddict's stores write through change tracking and through bulk
/// <c>UPDATE</c>/<c>DELETE</c>; accounts and keys too), and again when a transaction commits — a verification that
/// began between a statement and its commit may have read the old rows and must not be kept. Deliberately coarse:
/// an insert or an unrelated update only costs the next call of each credential one verification, and a missed
/// change would be a revoked token that keeps working. Writes known to change no credential (an API key's
/// <c>last_used_at</c>) carry <see cref="NotARevocationTag"/> and are skipped, or they would empty the cache on every use.
/// </summary>
internal sealed class CredentialChangeInterceptor : IDbCommandInterceptor, IDbTransactionInterceptor
{
    /// <summary>EF query tag (<c>TagWith</c>) of a write that changes no credential; EF writes it as a leading SQL comment.</summary>
    public const string NotARevocationTag = "mnemo:not-a-revocation";

    public static readonly CredentialChangeInterceptor Instance = new();

    private CredentialChangeInterceptor()
    {
    }

    public int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        Observe(command);
        return result;
    }

    public ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Observe(command);
        return ValueTask.FromResult(result);
    }

    public DbDataReader ReaderExecuted(DbCommand command, CommandExecutedEventData eventData, DbDataReader result)
    {
        Observe(command);
        return result;
    }

    public ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
    {
        Observe(command);
        return ValueTask.FromResult(result);
    }

    public object? ScalarExecuted(DbCommand command, CommandExecutedEventData eventData, object? result)
    {
        Observe(command);
        return result;
    }

    public ValueTask<object?> ScalarExecutedAsync(DbCommand command, CommandExecutedEventData eventData, object? result, CancellationToken cancellationToken = default)
    {
        Observe(command);
        return ValueTask.FromResult(result);
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => CredentialRevision.Process.Advance();

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        CredentialRevision.Process.Advance();
        return Task.CompletedTask;
    }

    private static void Observe(DbCommand command)
    {
        if (!IsReadOnly(command.CommandText))
        {
            CredentialRevision.Process.Advance();
        }
    }

    /// <summary>A plain query (possibly behind EF's tag comments), or a write tagged as changing no credential.</summary>
    internal static bool IsReadOnly(string sql)
    {
        var text = sql.AsSpan();
        while (true)
        {
            text = text.TrimStart();
            if (!text.StartsWith("--", StringComparison.Ordinal))
            {
                break;
            }

            var line = text.IndexOf('\n');
            if (text[2..].TrimStart().StartsWith(NotARevocationTag, StringComparison.Ordinal))
            {
                return true;
            }

            text = line < 0 ? [] : text[(line + 1)..];
        }

        // SELECT only, and only one statement: a batch "SELECT …; UPDATE …" is a write.
        return text.StartsWith("SELECT", StringComparison.OrdinalIgnoreCase) && !text.Contains(';');
    }
}
