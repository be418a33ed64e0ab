namespace Mnemo.Memory.Search;

/// <summary>
/// Ranking switches that exist only to measure alternatives (the LoCoMo variants and profiles in <c>bench/</c>); the
/// product always ranks with <see cref="Shipped"/>. They are not options a deployment could set: the bench registers
/// its own instance in the service collection before <c>AddMnemoMemory</c> (an internal seam), which registers
/// <see cref="Shipped"/> only when none is there.
/// </summary>
/// <param name="DenseMinMax">Min-max normalise cosine scores over the semantic candidates (else use the raw cosine).</param>
/// <param name="ScoreKeywordCandidates">Give keyword candidates missing from the semantic top list their own cosine before fusing.</param>
internal sealed record RankingVariant(RankingMode Mode = RankingMode.Hybrid, bool DenseMinMax = true, bool ScoreKeywordCandidates = true)
{
    public static RankingVariant Shipped { get; } = new();
}

/// <summary>Which rankers answer.</summary>
internal enum RankingMode
{
    Hybrid,
    KeywordOnly,
    DenseOnly,
}
