using Microsoft.Extensions.Logging;

namespace Mnemo.Auth;

/// <summary>Events of the audit log itself (ids 4xxx).</summary>
internal static partial class AuthLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Error, Message = "{Count} audit events could not be written.")]
    public static partial void AuditWriteFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Error, Message = "An audit event could not be recorded.")]
    public static partial void AuditRecordFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "{Count} audit events were lost (queue full or shutting down).")]
    public static partial void AuditEventsLost(ILogger logger, int count);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information, Message = "{Count} audit events older than {Days} days deleted.")]
    public static partial void AuditEventsPruned(ILogger logger, int count, int days);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Error, Message = "Old audit events could not be deleted; retrying in a day.")]
    public static partial void AuditPruneFailed(ILogger logger, Exception exception);
}
