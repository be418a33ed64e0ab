namespace Mnemo.Memory.Search;

/// <summary>
/// Fuses keyword (BM25) and semantic (cosine) candidates by a weighted sum of normalised scores. Measured on LoCoMo
/// (bench/): equal-weight reciprocal-rank fusion loses to BM25 alone, a weighted sum of normalised scores beats it.
/// BM25 is divided by the best BM25 score; cosine is min-max normalised over the semantic candidates.
/// A memory missing from one list scores 0 there.
/// </summary>
internal static class HybridRanker
{
    /// <param name="denseOfKeyword">Semantic scores of keyword candidates missing from <paramref name="dense"/>, so they are not counted as 0.</param>
    public static List<ScoredId> Fuse(
        IReadOnlyList<ScoredId> keyword, IReadOnlyList<ScoredId> dense, double denseWeight, bool denseMinMax = true, IReadOnlyDictionary<string, float>? denseOfKeyword = null)
    {
        if (dense.Count == 0)
        {
            return [.. keyword];
        }

        if (keyword.Count == 0)
        {
            return [.. dense];
        }

        var fused = new Dictionary<string, double>(StringComparer.Ordinal);
        var bestKeyword = keyword.Max(k => k.Score);
        foreach (var hit in keyword)
        {
            fused[hit.Id] = (1 - denseWeight) * (bestKeyword > 0 ? hit.Score / bestKeyword : 0);
        }

        if (denseOfKeyword is { Count: > 0 })
        {
            var seen = dense.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
            dense = [.. dense, .. denseOfKeyword.Where(k => !seen.Contains(k.Key)).Select(k => new ScoredId(k.Key, k.Value))];
        }

        var max = dense.Max(d => d.Score);
        var min = dense.Min(d => d.Score);
        var range = max - min;
        foreach (var hit in dense)
        {
            var normalised = !denseMinMax ? Math.Max(0, hit.Score) : range > 1e-9 ? (hit.Score - min) / range : 1.0;
            fused[hit.Id] = fused.GetValueOrDefault(hit.Id) + denseWeight * normalised;
        }

        return fused
            .Select(f => new ScoredId(f.Key, f.Value))
            .OrderByDescending(f => f.Score)
            .ThenBy(f => f.Id, StringComparer.Ordinal)
            .ToList();
    }
}
