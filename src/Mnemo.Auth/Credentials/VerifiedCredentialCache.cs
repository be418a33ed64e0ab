using System.Collections.Concurrent;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;

namespace Mnemo.Auth.Credentials;

/// <summary>
/// Bearer credentials (OAuth access tokens and API keys) that passed full verification — signature, decryption, the
/// token and authorization entries, the key's and the account's rows — kept for at most
/// <see cref="MnemoAuthOptions.CredentialRecheckInterval"/> so that the calls in between skip the database and the
/// RSA work. What keeps this safe:
/// <list type="bullet">
/// <item>A change to the module's tables in this process (revocation, disabled account, revoked key, deleted client)
/// moves <see cref="CredentialRevision"/>, and every entry verified before it is ignored: the next call on this
/// instance is verified again.</item>
/// <item>Another instance (or a CLI verb in another process) cannot move this process's counter: there an entry lives
/// at most the recheck interval (default 1 s, at most 2 s — OAUTH.md's bound for other instances).</item>
/// <item>No entry outlives its access token's expiry. Only successes are kept: a refused credential is verified on
/// every call, so a client cannot fill the cache with garbage.</item>
/// <item>Bounded: at <see cref="Capacity"/> entries the cache is emptied rather than grown (each credential then costs
/// one more verification).</item>
/// </list>
/// The key is the credential itself, compared ordinally; it lives in memory as it does while a request is handled.
/// The principal is shared by the calls that hit the entry: nothing in the pipeline changes a principal after
/// authentication (no claims transformation is registered).
/// </summary>
internal sealed class VerifiedCredentialCache(TimeProvider time, IOptions<MnemoAuthOptions> options, CredentialRevision revisions)
{
    internal const int Capacity = 10_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Read before a verification begins and hand it to <see cref="Add"/>.</summary>
    public long Revision => revisions.Current;

    private TimeSpan Interval => options.Value.CredentialRecheckInterval;

    public bool TryGet(string credential, out AuthenticationTicket ticket)
    {
        if (_entries.TryGetValue(credential, out var entry))
        {
            if (entry.Revision == revisions.Current && time.GetUtcNow() < entry.Until)
            {
                ticket = entry.Ticket;
                return true;
            }

            _entries.TryRemove(new KeyValuePair<string, Entry>(credential, entry));
        }

        ticket = null!;
        return false;
    }

    /// <param name="revision">The <see cref="Revision"/> read <em>before</em> the verification began.</param>
    public void Add(string credential, AuthenticationTicket ticket, long revision)
    {
        if (Interval <= TimeSpan.Zero || revision != revisions.Current)
        {
            return;
        }

        var until = time.GetUtcNow() + Interval;
        if (ticket.Principal.GetExpirationDate() is { } expires && expires < until)
        {
            until = expires;
        }

        if (_entries.Count >= Capacity)
        {
            _entries.Clear();
        }

        _entries[credential] = new Entry(ticket, revision, until);
    }

    internal int Count => _entries.Count;

    private sealed record Entry(AuthenticationTicket Ticket, long Revision, DateTimeOffset Until);
}
