namespace Mnemo.Auth;

/// <summary>Settings of the audit log of OAuth and account events (<see cref="MnemoAuthOptions.Audit"/>).</summary>
public sealed class MnemoAuditOptions
{
    /// <summary>The configuration key Mnemo binds <see cref="RetentionDays"/> from (another host may bind its own).</summary>
    public const string RetentionDaysKey = "Mnemo:Audit:RetentionDays";

    /// <summary>
    /// Days an audit event is kept (default 180; 0 keeps events forever). Events older than this are deleted once a
    /// day: the log answers "what happened to my account lately" without growing without bound.
    /// </summary>
    public int RetentionDays { get; set; } = 180;
}
