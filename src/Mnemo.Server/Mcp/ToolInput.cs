using System.Globalization;
using Mnemo.Memory;
using Mnemo.Memory.Memories;

namespace Mnemo.Server.Mcp;

/// <summary>Parses tool arguments the JSON schema cannot express, with messages that tell the assistant what to send instead.</summary>
internal static class ToolInput
{
    private static readonly string[] DateOnlyFormats = ["yyyy-MM-dd"];

    /// <summary>RFC 3339 date-time (offset required), or a bare date taken as midnight UTC.</summary>
    public static DateTimeOffset? ParseTime(string? value, string parameter)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var text = value.Trim();
        if (text.Length > 10 && (text[10] is 'T' or 't' or ' ')
            && (text.EndsWith('Z') || text.EndsWith('z') || HasOffset(text))
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var instant))
        {
            return instant.ToUniversalTime();
        }

        if (DateTime.TryParseExact(text, DateOnlyFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date))
        {
            return new DateTimeOffset(date, TimeSpan.Zero);
        }

        throw new MemoryValidationException(
            $"{parameter} '{value}' is not an RFC 3339 date-time. Send it like 2025-03-14T09:30:00Z (or with an offset such as +02:00), or a plain date like 2025-03-14.");
    }

    public static MemoryState? ParseState(string? value, string parameter)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        return Enum.TryParse<MemoryState>(value.Trim(), ignoreCase: true, out var state) && Enum.IsDefined(state)
            ? state
            : throw new MemoryValidationException($"{parameter} '{value}' is not a memory state. Use one of: active, paused, archived, deleted.");
    }

    private static bool HasOffset(string text)
    {
        var tail = text.Length >= 6 ? text[^6..] : "";
        return tail.Length == 6 && (tail[0] is '+' or '-') && tail[3] == ':';
    }
}
