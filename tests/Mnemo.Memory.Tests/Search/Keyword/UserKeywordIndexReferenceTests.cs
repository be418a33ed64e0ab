using System.Globalization;
using Mnemo.Memory.Memories;
using Mnemo.Memory.Search;
using Mnemo.Memory.Search.Keyword;

namespace Mnemo.Memory.Tests.Keyword;

/// <summary>
/// The index against a plain, slow BM25 computed from scratch after random adds, edits, state changes and removals
/// (enough of them to pass through compaction): same matches, same scores, same near-duplicate candidates.
/// </summary>
public sealed class UserKeywordIndexReferenceTests
{
    private const double K1 = 1.2;
    private const double B = 0.75;
    private const double BackgroundDocuments = 5_000;

    private static readonly string[] Vocabulary =
    [
        "apple", "apples", "banana", "cherry", "hiking", "hikes", "garden", "tomato", "piano", "violin", "kayak", "river",
        "mountain", "coffee", "tea", "café", "may", "june", "2023", "8", "the", "and", "with", "Caroline", "Melanie",
    ];

    private static readonly long[] Days =
    [
        new DateTime(2023, 5, 8, 10, 0, 0, DateTimeKind.Utc).Ticks,
        new DateTime(2023, 6, 20, 23, 59, 0, DateTimeKind.Utc).Ticks,
        new DateTime(2024, 5, 1, 0, 0, 0, DateTimeKind.Utc).Ticks,
    ];

    private static readonly string[] Tags = ["work", "home", "travel"];

    [Theory]
    [InlineData(1, 2, 0.5f)]
    [InlineData(2, 1, 0.3f)]
    [InlineData(3, 0, 0.5f)]
    public void Search_AfterRandomWrites_MatchesAPlainBm25(int seed, int window, float contextWeight)
    {
        var ranking = new KeywordRanking(window, contextWeight, Dates: true);
        var index = new UserKeywordIndex(ranking);
        var live = new Dictionary<string, (KeywordDocument Document, long Version)>(StringComparer.Ordinal);
        var all = new List<KeywordDocument>();
        var random = new Random(seed);
        long version = 0;

        for (var step = 0; step < 5_000; step++)
        {
            var action = random.Next(10);
            if (action < 3 || all.Count == 0)
            {
                // A new add call of one to five memories.
                var batch = $"batch{step}";
                for (var i = random.Next(1, 6) - 1; i >= 0; i--)
                {
                    var document = new KeywordDocument(
                        $"m{all.Count}",
                        new MemoryFacts(MemoryState.Active, random.Next(3) == 0 ? "cursor" : null, Days[random.Next(Days.Length)], RandomTags(random)),
                        batch, i, RandomText(random));
                    all.Add(document);
                    index.Upsert(document);
                    live[document.Id] = (document, ++version);
                }
            }
            else
            {
                var at = random.Next(all.Count);
                var document = all[at];
                if (action < 7)
                {
                    // An edit or a state change of a memory, deleted or not (a deleted one comes back, as re-adding it would).
                    var changed = document with
                    {
                        Text = random.Next(2) == 0 ? RandomText(random) : document.Text,
                        Facts = document.Facts with { State = (MemoryState)random.Next(3) },
                    };
                    all[at] = changed;
                    index.Upsert(changed);
                    live[changed.Id] = (changed, ++version);
                }
                else
                {
                    Assert.Equal(live.Remove(document.Id), index.Remove(document.Id));
                }
            }

            Assert.Equal(live.Count, index.Count);
            if (step % 149 == 0 && live.Count > 0)
            {
                CheckQueries(index, ranking, live, random);
                // A removal right after a search, with no write in between, must show at the next search too.
                var removed = live.Keys.ElementAt(random.Next(live.Count));
                Assert.True(index.Remove(removed));
                live.Remove(removed);
                CheckQueries(index, ranking, live, random);
            }
        }

        CheckQueries(index, ranking, live, random);
    }

    private static void CheckQueries(
        UserKeywordIndex index, KeywordRanking ranking, Dictionary<string, (KeywordDocument Document, long Version)> live, Random random)
    {
        var reference = new Reference(ranking, [.. live.Values.Select(v => v.Document)]);
        for (var q = 0; q < 5; q++)
        {
            var query = string.Join(' ', Enumerable.Range(0, random.Next(1, 4)).Select(_ => Vocabulary[random.Next(Vocabulary.Length)]));
            var stems = KeywordTokenizer.QueryStems(QueryTerms.Extract(query));
            var filter = new MemoryFilter(
                (MemoryState)random.Next(3), random.Next(3) == 0 ? [Tags[random.Next(Tags.Length)]] : [],
                random.Next(4) == 0 ? Days[1] : null, random.Next(4) == 0 ? Days[1] : null, random.Next(4) == 0 ? "cursor" : null);
            var limit = random.Next(1, 30);

            var expected = reference.Scores(stems);
            var passing = expected.Where(e => Passes(live[e.Key].Document, filter)).OrderByDescending(e => e.Value).Take(limit).ToList();
            var actual = index.Search(stems, filter, limit);

            Assert.True(passing.Count == actual.Count, $"'{query}': expected {passing.Count} hits, got {actual.Count}");
            for (var i = 0; i < actual.Count; i++)
            {
                // Ties may come in any order: the i-th score must match, and each id must have its own reference score.
                Assert.Equal(passing[i].Value, actual[i].Score, 1e-4 * passing[i].Value);
                Assert.True(expected.TryGetValue(actual[i].Id, out var own), $"'{query}': {actual[i].Id} should not match");
                Assert.Equal(own, actual[i].Score, 1e-4 * own);
                Assert.True(Passes(live[actual[i].Id].Document, filter));
            }

            var containing = live.Values
                .Where(v => v.Document.Facts.State == MemoryState.Active && stems.Count > 0
                    && stems.All(reference.Text[v.Document.Id].Stems.Contains))
                .OrderByDescending(v => v.Version).Take(limit).Select(v => v.Document.Id);
            Assert.Equal(containing, index.ContainingAll(stems, limit));
        }
    }

    /// <summary>BM25 as documented on <see cref="Bm25Scorer"/>, computed the long way.</summary>
    private sealed class Reference
    {
        private readonly KeywordRanking _ranking;
        private readonly List<KeywordDocument> _documents;
        private readonly Dictionary<string, (List<string> Stems, int Length)> _date;
        private readonly Dictionary<string, List<string>> _neighbours = new(StringComparer.Ordinal);
        private readonly Dictionary<string, double> _lengths;
        private readonly double _average;

        public Reference(KeywordRanking ranking, List<KeywordDocument> documents)
        {
            _ranking = ranking;
            _documents = documents;
            Text = documents.ToDictionary(d => d.Id, d => KeywordTokenizer.Tokenize(d.Text), StringComparer.Ordinal);
            _date = documents.ToDictionary(
                d => d.Id,
                d => KeywordTokenizer.Tokenize(new DateTime(d.Facts.OccurredAt, DateTimeKind.Utc).ToString("d MMMM yyyy", CultureInfo.InvariantCulture)),
                StringComparer.Ordinal);
            foreach (var batch in documents.GroupBy(d => d.BatchId))
            {
                var members = batch.OrderBy(d => d.BatchIndex).Select(d => d.Id).ToList();
                for (var p = 0; p < members.Count; p++)
                {
                    _neighbours[members[p]] = [.. members.Where((_, o) => o != p && Math.Abs(o - p) <= ranking.NeighbourWindow)];
                }
            }

            _lengths = documents.ToDictionary(
                d => d.Id, d => (double)Text[d.Id].Length + _date[d.Id].Length + _neighbours[d.Id].Sum(n => Text[n].Length), StringComparer.Ordinal);
            _average = documents.Count == 0 ? 1 : Math.Max(1, _lengths.Values.Sum() / documents.Count);
        }

        public Dictionary<string, (List<string> Stems, int Length)> Text { get; }

        public Dictionary<string, double> Scores(List<string> stems)
        {
            var scores = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var stem in stems)
            {
                var frequencies = new Dictionary<string, double>(StringComparer.Ordinal);
                foreach (var document in _documents)
                {
                    var own = Text[document.Id].Stems.Count(s => s == stem);
                    var context = _neighbours[document.Id].Sum(n => Text[n].Stems.Count(s => s == stem))
                        + (_date[document.Id].Stems.Contains(stem) ? 1 : 0);
                    var f = own + (_ranking.ContextWeight * context);
                    if (f > 0)
                    {
                        frequencies[document.Id] = f;
                    }
                }

                var idf = Math.Log((_documents.Count + BackgroundDocuments - frequencies.Count + 0.5) / (frequencies.Count + 0.5));
                idf = idf <= 0 ? 1e-6 : idf;
                foreach (var (id, f) in frequencies)
                {
                    var score = idf * (f * (K1 + 1)) / (f + (K1 * (1 - B + (B * _lengths[id] / _average))));
                    scores[id] = scores.GetValueOrDefault(id) + score;
                }
            }

            return scores;
        }
    }

    private static bool Passes(KeywordDocument document, MemoryFilter filter) =>
        document.Facts.State == filter.State
        && (filter.App is null || document.Facts.App == filter.App)
        && (filter.OccurredAfter is not { } after || document.Facts.OccurredAt >= after)
        && (filter.OccurredBefore is not { } before || document.Facts.OccurredAt <= before)
        && filter.Tags.All(document.Facts.Tags.Contains);

    private static string RandomText(Random random) =>
        string.Join(' ', Enumerable.Range(0, random.Next(1, 9)).Select(_ => Vocabulary[random.Next(Vocabulary.Length)]));

    private static string[] RandomTags(Random random) => [.. Tags.Where(_ => random.Next(2) == 0)];
}
