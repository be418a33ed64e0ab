namespace Mnemo.Bench.Latency;

/// <summary>Deterministic, plausible personal facts and questions, so runs compare with each other.</summary>
internal sealed class SyntheticMemories(int seed)
{
    private static readonly string[] People = ["Alice", "Bob", "Carmen", "Deepak", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemal", "Lena", "Marta", "Nadia", "Omar", "Priya"];
    private static readonly string[] Relations = ["sister", "brother", "manager", "neighbour", "friend", "cousin", "colleague", "dentist", "coach", "landlord"];
    private static readonly string[] Verbs = ["prefers", "dislikes", "is learning", "bought", "recommended", "cooked", "booked", "repaired", "visited", "forgot", "started", "finished"];
    private static readonly string[] Things = ["oat milk coffee", "the blue bicycle", "Italian lessons", "a sourdough starter", "the dentist appointment", "a trip to Lisbon", "the quarterly report", "rock climbing", "a standing desk", "the jazz concert", "green tea", "the garden shed", "a Python course", "the wedding speech", "running shoes", "the tax return", "a vegetarian lasagna", "the piano recital"];
    private static readonly string[] Places = ["at home", "in Berlin", "at the office", "in Porto", "near the lake", "at the gym", "in Kyoto", "at the library", "downtown", "in the mountains"];
    private static readonly string[] Times = ["on Monday", "last spring", "every weekend", "in March", "yesterday", "since 2019", "twice a week", "before the holidays", "after work", "in the morning"];

    private readonly Random _random = new(seed);

    public string Next() =>
        $"{Pick(People)}'s {Pick(Relations)} {Pick(Verbs)} {Pick(Things)} {Pick(Places)} {Pick(Times)} (note {_random.Next(100_000)}).";

    public string Query() => _random.Next(3) switch
    {
        0 => $"What does {Pick(People)}'s {Pick(Relations)} think of {Pick(Things)}?",
        1 => $"{Pick(Things)} {Pick(Places)}",
        _ => $"When did my {Pick(Relations)} go {Pick(Places)}?",
    };

    private string Pick(string[] values) => values[_random.Next(values.Length)];
}
