using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Mnemo.Bench.Locomo;

internal sealed record Turn(int Session, int Index, string Speaker, string Text);

internal sealed record Session(int Number, DateTimeOffset Date, IReadOnlyList<Turn> Turns);

internal sealed record Question(string Text, int Category, IReadOnlyList<(int Session, int Turn)> Evidence);

internal sealed record Conversation(string Id, IReadOnlyList<Session> Sessions, IReadOnlyList<Question> Questions);

/// <summary>Reads locomo10.json as described in the data set's README (read in place, never copied).</summary>
internal static partial class LocomoData
{
    [GeneratedRegex(@"^session_(\d+)$")]
    private static partial Regex SessionKey();

    [GeneratedRegex(@"^D(\d+):(\d+)$")]
    private static partial Regex EvidencePattern();

    public static List<Conversation> Load(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var result = new List<Conversation>();
        foreach (var sample in document.RootElement.EnumerateArray())
        {
            var conversation = sample.GetProperty("conversation");
            var sessions = new List<Session>();
            var numbers = conversation.EnumerateObject()
                .Select(p => SessionKey().Match(p.Name))
                .Where(m => m.Success)
                .Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))
                .Order();
            foreach (var n in numbers)
            {
                var turns = conversation.GetProperty($"session_{n}");
                var date = ParseDate(conversation.GetProperty($"session_{n}_date_time").GetString()!);
                var list = new List<Turn>();
                foreach (var turn in turns.EnumerateArray())
                {
                    var text = $"{turn.GetProperty("speaker").GetString()}: {turn.GetProperty("text").GetString()}";
                    if (turn.TryGetProperty("blip_caption", out var caption) && caption.ValueKind == JsonValueKind.String)
                    {
                        text += $" [shares a photo: {caption.GetString()}]";
                    }

                    var dia = ParseEvidence(turn.GetProperty("dia_id").GetString()!);
                    list.Add(new Turn(n, dia.FirstOrDefault().Turn, turn.GetProperty("speaker").GetString()!, text));
                }

                sessions.Add(new Session(n, date, list));
            }

            var questions = new List<Question>();
            foreach (var qa in sample.GetProperty("qa").EnumerateArray())
            {
                var category = qa.GetProperty("category").GetInt32();
                if (category is < 1 or > 4)
                {
                    continue;
                }

                var evidence = qa.GetProperty("evidence").EnumerateArray().SelectMany(e => ParseEvidence(e.GetString() ?? "")).Distinct().ToList();
                if (evidence.Count > 0)
                {
                    questions.Add(new Question(qa.GetProperty("question").GetString()!, category, evidence));
                }
            }

            result.Add(new Conversation(sample.GetProperty("sample_id").GetString()!, sessions, questions));
        }

        return result;
    }

    /// <summary>Splits on ';' and whitespace, reads D:11:26 as D11:26, drops anything not D&lt;session&gt;:&lt;turn&gt;.</summary>
    internal static IEnumerable<(int Session, int Turn)> ParseEvidence(string entry)
    {
        foreach (var part in entry.Split([';', ' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries))
        {
            var fixedPart = part.StartsWith("D:", StringComparison.Ordinal) ? "D" + part[2..] : part;
            var match = EvidencePattern().Match(fixedPart);
            if (match.Success)
            {
                yield return (int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
            }
        }
    }

    /// <summary>"1:56 pm on 8 May, 2023" (UTC: the data has no zone).</summary>
    private static DateTimeOffset ParseDate(string text) =>
        new(DateTime.ParseExact(text.Replace("  ", " ", StringComparison.Ordinal), ["h:mm tt 'on' d MMMM, yyyy", "h:mm tt 'on' d MMM, yyyy"],
            CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces), TimeSpan.Zero);
}
