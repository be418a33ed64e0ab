using System.Globalization;
using System.Text.RegularExpressions;

namespace Mnemo.Server.Cli;

/// <summary>The <c>--since</c> of <c>mnemo audit</c>: an RFC 3339 time, a UTC date, or a duration back from now.</summary>
internal static partial class SinceParser
{
    /// <summary>The time meant, or null when <paramref name="text"/> is none of the accepted forms.</summary>
    public static DateTimeOffset? Parse(string text, DateTimeOffset now)
    {
        text = text.Trim();
        if (Duration().Match(text) is { Success: true } duration)
        {
            var amount = long.Parse(duration.Groups[1].Value, CultureInfo.InvariantCulture);
            var unit = duration.Groups[2].Value switch
            {
                "s" => TimeSpan.FromSeconds(1),
                "m" => TimeSpan.FromMinutes(1),
                "h" => TimeSpan.FromHours(1),
                "d" => TimeSpan.FromDays(1),
                _ => TimeSpan.FromDays(7),
            };
            // Past the beginning of time is the beginning of time: "everything".
            return amount > (now - DateTimeOffset.MinValue).Ticks / unit.Ticks ? DateTimeOffset.MinValue : now - unit * amount;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        }

        // RFC 3339 requires an offset ("Z" or ±hh:mm): a time without one would silently mean the machine's zone.
        return Rfc3339().IsMatch(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var time)
                ? time
                : null;
    }

    [GeneratedRegex("^([0-9]{1,9})([smhdw])$")]
    private static partial Regex Duration();

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$")]
    private static partial Regex Rfc3339();
}
