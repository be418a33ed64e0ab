using System.Globalization;
using System.Text;

namespace Mnemo.Storage.Text;

/// <summary>
/// Cleans a string that a client chose (an MCP client's name from <c>initialize</c>, an OAuth client's
/// <c>client_name</c>) before Mnemo stores it or shows it to a person.
/// </summary>
public static class ClientText
{
    /// <summary>The longest client or app name kept: enough for any real product name and version.</summary>
    public const int MaxNameLength = 100;

    /// <summary>
    /// Drops control and format characters (bidi overrides such as U+202E, zero-width joiners and spaces, line and
    /// paragraph separators, lone surrogates), because they let a name look like something it is not on a consent
    /// page or in a list; folds every run of white space to one space; trims; and keeps at most
    /// <paramref name="maxLength"/> characters without splitting a surrogate pair. Returns null when nothing visible
    /// is left. The work is bounded by <paramref name="maxLength"/>, not by the input: a 3 MB name costs what a
    /// short one does, because at most a few times <paramref name="maxLength"/> input characters are looked at.
    /// </summary>
    public static string? Clean(string? value, int maxLength = MaxNameLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLength);
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        var scanLimit = Math.Min(value.Length, checked(maxLength * 8));
        var result = new StringBuilder(Math.Min(maxLength, value.Length));
        var pendingSpace = false;
        for (var i = 0; i < scanLimit && result.Length < maxLength; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                var category = CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(c, value[i + 1]));
                if (!IsInvisible(category) && result.Length + (pendingSpace ? 3 : 2) <= maxLength)
                {
                    AppendPendingSpace(result, ref pendingSpace);
                    result.Append(c).Append(value[i + 1]);
                }

                i++;
                continue;
            }

            if (char.IsWhiteSpace(c))
            {
                pendingSpace = result.Length > 0;
                continue;
            }

            if (IsInvisible(CharUnicodeInfo.GetUnicodeCategory(c)))
            {
                continue;
            }

            if (pendingSpace && result.Length + 2 > maxLength)
            {
                break;
            }

            AppendPendingSpace(result, ref pendingSpace);
            result.Append(c);
        }

        return result.Length == 0 ? null : result.ToString();
    }

    private static void AppendPendingSpace(StringBuilder result, ref bool pendingSpace)
    {
        if (pendingSpace)
        {
            result.Append(' ');
            pendingSpace = false;
        }
    }

    private static bool IsInvisible(UnicodeCategory category) => category is UnicodeCategory.Control or UnicodeCategory.Format
        or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate
        or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned;
}
