using System.Net;
using System.Text.RegularExpressions;

namespace Mnemo.Bench.Floor;

/// <summary>Reads a server-rendered form the way a browser posts it back: every named input, hidden ones included.</summary>
internal static partial class HtmlForm
{
    /// <summary>Every named input of the page (the anti-forgery token <c>__mnemo_csrf</c>, the OAuth parameters, prefilled values).</summary>
    public static Dictionary<string, string> Fields(string html)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match input in InputPattern().Matches(html))
        {
            var name = NamePattern().Match(input.Value);
            var value = ValuePattern().Match(input.Value);
            if (name.Success)
            {
                fields[WebUtility.HtmlDecode(name.Groups[1].Value)] = value.Success ? WebUtility.HtmlDecode(value.Groups[1].Value) : "";
            }
        }

        return fields;
    }

    [GeneratedRegex("<input\\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InputPattern();

    [GeneratedRegex("\\sname=\"([^\"]*)\"", RegexOptions.IgnoreCase)]
    private static partial Regex NamePattern();

    [GeneratedRegex("\\svalue=\"([^\"]*)\"", RegexOptions.IgnoreCase)]
    private static partial Regex ValuePattern();
}
