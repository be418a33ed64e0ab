using Microsoft.EntityFrameworkCore;
using Mnemo.Auth.Storage;

namespace Mnemo.Auth.Audit;

internal sealed class AuditTrail(AuthDbContext db, UserPseudonym pseudonyms) : IAuditTrail
{
    public async Task<IReadOnlyList<AuditEntry>> ListAsync(string? userId, DateTimeOffset? since, int? limit, CancellationToken cancellationToken = default)
    {
        var events = db.AuditEvents.AsNoTracking();
        if (!string.IsNullOrEmpty(userId))
        {
            // The account's own rows, and those it left behind if it was deleted (the pseudonym of the same id).
            var pseudonym = await pseudonyms.ForAsync(userId, cancellationToken);
            events = events.Where(e => e.UserId == userId || e.UserId == pseudonym);
        }

        if (since is { } from)
        {
            events = events.Where(e => e.OccurredAt >= from);
        }

        var rows = limit is { } count
            ? (await events.OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.Id).Take(count).ToListAsync(cancellationToken)).AsEnumerable().Reverse()
            : await events.OrderBy(e => e.OccurredAt).ThenBy(e => e.Id).ToListAsync(cancellationToken);
        return [.. rows.Select(e => new AuditEntry(e.Id, e.OccurredAt, e.Kind, e.UserId, e.ClientId, e.ClientIp, e.Detail))];
    }
}
