namespace Mnemo.Auth.Audit;

/// <summary>
/// Records OAuth and account events in the audit table (<c>audit_events</c>). For the module's own code: handlers,
/// pages, services, the rate limiter.
/// <para>
/// <see cref="Record"/> never blocks the request and never throws: the event is queued and written in the background,
/// in batches, by one writer; a write that fails is logged and the request it came from has long succeeded. The client
/// address is taken from the current request (after forwarded-header handling), or left empty outside a request.
/// </para>
/// <para>
/// Never pass a token, code, password, key, client secret or a name someone typed into a sign-in form (people type
/// their password into the name field): ids, client ids and short facts only. Text is cleaned of control characters
/// and capped.
/// </para>
/// </summary>
internal interface IAuditLog
{
    /// <summary>Queues an event. <see cref="AuditEventKind.RateLimited"/> events are kept to one per minute per client address, user, client and detail, so a flood of refused requests cannot flood the table.</summary>
    void Record(AuditEventKind kind, string? userId = null, string? clientId = null, string? detail = null);

    /// <summary>Waits until every event recorded before the call is written (or its write failed and was logged).</summary>
    Task FlushAsync(CancellationToken cancellationToken = default);
}
