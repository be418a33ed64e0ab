using Mnemo.Memory.Search.Keyword;
using Mnemo.Memory.Storage;

namespace Mnemo.Memory.Search;

// Reading: ranking and near-duplicate candidates, each on a user's indexes caught up with the feed.
internal sealed partial class SearchIndex
{
    /// <summary>
    /// Keyword and semantic candidates, fused (<see cref="HybridRanker"/>); best first, at most <paramref name="limit"/>.
    /// Ids only: the caller re-reads every one from <c>memories</c> with the user id before showing it, so a stale index
    /// can at worst rank, never reveal.
    /// </summary>
    public async Task<IReadOnlyList<ScoredId>> RankAsync(MemoryDbContext db, string userId, string query, MemoryFilter filter, int limit, CancellationToken ct)
    {
        var terms = QueryTerms.Extract(query);
        if (terms.Count == 0)
        {
            // A query of stop-words or punctuation only matches nothing: an empty result, not an error.
            return [];
        }

        var search = options.Value.Search;
        var stems = KeywordTokenizer.QueryStems(terms);
        var candidates = Math.Max(limit, search.CandidateCount);
        var useDense = variant.Mode != RankingMode.KeywordOnly && embeddings.IsEnabled;
        var useKeyword = !(variant.Mode == RankingMode.DenseOnly && useDense) && stems.Count > 0;
        // The query vector (~1 ms, the longest step) is computed meanwhile: the catch-up of both indexes with the feed
        // and the keyword ranking run while the model works.
        var queryVector = useDense ? Task.Run(() => embeddings.EmbedAsync([query], ct), ct) : null;
        var keyword = await _cache.UseAsync(
            db, userId, vectors: useDense, catchUp: true, user => useKeyword ? user.Keyword.Search(stems, filter, candidates) : [], ct);
        if (queryVector is null)
        {
            return keyword.Take(limit).ToList();
        }

        float[] vector;
        try
        {
            vector = (await queryVector)[0];
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Degrade, never fail: the keyword ranking answers alone.
            return keyword.Take(limit).ToList();
        }

        // The same indexes, as caught up above: another round trip would only find changes of the last millisecond.
        var contextWeight = search.DenseNeighbourWindow > 0 ? (float)search.DenseContextWeight : 0f;
        var (dense, denseOfKeyword) = await _cache.UseAsync(db, userId, vectors: true, catchUp: false, user => user.Vectors is { } set
            ? (set.Search(vector, filter, candidates, contextWeight),
               // Keyword candidates the semantic top list missed still get their own cosine (a few dot products).
               variant.ScoreKeywordCandidates ? set.Score(vector, keyword.Select(k => k.Id), contextWeight) : null)
            : ([], null), ct);
        var fused = variant.Mode == RankingMode.DenseOnly
            ? [.. dense]
            : HybridRanker.Fuse(keyword, dense, search.DenseWeight, variant.DenseMinMax, denseOfKeyword);
        return fused.Take(limit).ToList();
    }

    /// <summary>
    /// Near-duplicate candidates: the user's active memories whose own text (not context) contains every term, newest
    /// first; cheap even on common words, since it intersects instead of ranking every match.
    /// </summary>
    public async Task<IReadOnlyList<string>> FindContainingAllAsync(MemoryDbContext db, string userId, IReadOnlyList<string> terms, int limit, CancellationToken ct)
    {
        var stems = KeywordTokenizer.QueryStems(terms);
        return stems.Count == 0 ? [] : await _cache.UseAsync(db, userId, vectors: false, catchUp: true, user => user.Keyword.ContainingAll(stems, limit), ct);
    }
}
