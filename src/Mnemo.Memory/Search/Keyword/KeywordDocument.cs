namespace Mnemo.Memory.Search.Keyword;

/// <summary>A memory as the keyword index takes it (deleted memories are never added).</summary>
internal sealed record KeywordDocument(string Id, MemoryFacts Facts, string BatchId, int BatchIndex, string Text);

/// <summary>How neighbours and dates take part in keyword ranking (from <see cref="MemorySearchOptions"/>).</summary>
internal sealed record KeywordRanking(int NeighbourWindow, float ContextWeight, bool Dates);
