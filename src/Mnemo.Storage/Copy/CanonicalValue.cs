using System.Globalization;

namespace Mnemo.Storage.Copy;

/// <summary>
/// One text form per value, the same whichever provider read it, for the checksums that compare a copy with its source.
/// What two providers may legitimately hand back differently for one stored value is made equal here, and nothing else:
/// <list type="bullet">
/// <item>times are the UTC instant at microsecond precision: SQLite returns <see cref="DateTime"/> with an unspecified
/// kind (the copier wrote it as UTC) and keeps 100 ns ticks, PostgreSQL's timestamptz returns UTC and keeps microseconds;
/// a <see cref="DateTimeOffset"/> compares by instant, whatever its offset;</item>
/// <item>everything else is its invariant-culture text: strings exactly, bytes as base64, enums by name.</item>
/// </list>
/// </summary>
internal static class CanonicalValue
{
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    /// <summary>The canonical text of <paramref name="value"/>; null for null (told apart from "" by the caller).</summary>
    public static string? Of(object? value) => value switch
    {
        null => null,
        string s => s,
        byte[] bytes => Convert.ToBase64String(bytes),
        bool b => b ? "true" : "false",
        DateTime t => Microseconds(t.Kind == DateTimeKind.Local ? t.ToUniversalTime() : t).ToString(TimeFormat, CultureInfo.InvariantCulture),
        DateTimeOffset t => Microseconds(t.UtcDateTime).ToString(TimeFormat, CultureInfo.InvariantCulture),
        TimeSpan t => new TimeSpan(t.Ticks - (t.Ticks % TimeSpan.TicksPerMicrosecond)).ToString("c", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        Enum e => e.ToString(),
        Guid g => g.ToString("D"),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    private static DateTime Microseconds(DateTime time) => new(time.Ticks - (time.Ticks % TimeSpan.TicksPerMicrosecond), DateTimeKind.Utc);
}
