using System.Numerics.Tensors;
using Microsoft.EntityFrameworkCore;
using Mnemo.Memory.Search;
using Mnemo.Memory.Search.Vectors;
using Mnemo.Memory.Storage;

namespace Mnemo.Memory.Memories;

/// <summary>An input of an add call that repeats a memory: <see cref="Existing"/> is the stored one to refresh (null when it repeats an earlier input of the same call).</summary>
internal sealed record Duplicate(string Id, MemoryEntity? Existing);

/// <summary>
/// Finds near-duplicates on write. Candidates are the user's memories containing all of the input's content words
/// (a cheap intersection in the keyword index, even at 100k memories) plus earlier inputs of the same call; similarity
/// is 1 for the same text ignoring case and spacing, else the cosine of the vectors when both have one under the
/// current model, else 0.
/// </summary>
internal static class Deduplicator
{
    private const int CandidatesPerInput = 5;

    public static async Task<Duplicate?[]> ResolveAsync(
        MemoryDbContext db, SearchIndex search, IReadOnlyList<MemoryEntity> inputs, IReadOnlyList<MemoryEmbeddingEntity>? vectors,
        double threshold, CancellationToken ct)
    {
        var result = new Duplicate?[inputs.Count];
        if (threshold > 1 || inputs.Count == 0)
        {
            return result;
        }

        var userId = inputs[0].UserId;
        var model = vectors?.FirstOrDefault()?.Model;
        var candidateIds = new List<string>[inputs.Count];
        for (var i = 0; i < inputs.Count; i++)
        {
            var terms = Search.QueryTerms.Extract(inputs[i].Text);
            // A near-duplicate has the same content words (after stop-words and stemming); the cosine decides.
            candidateIds[i] = [.. await search.FindContainingAllAsync(db, userId, terms, CandidatesPerInput, ct)];
        }

        var allIds = candidateIds.SelectMany(c => c).Distinct().ToList();
        var existing = allIds.Count == 0
            ? []
            : (await db.Memories.Include(m => m.Tags).Where(m => allIds.Contains(m.Id)).ToListAsync(ct))
                // Owner and state checked here: in SQL, SQLite would walk the user's whole index instead of key lookups.
                .Where(m => m.UserId == userId && m.State == MemoryState.Active)
                .ToDictionary(m => m.Id, StringComparer.Ordinal);
        var existingVectors = allIds.Count == 0 || model is null
            ? []
            : await db.Embeddings.AsNoTracking().Where(e => allIds.Contains(e.MemoryId) && e.Model == model)
                .ToDictionaryAsync(e => e.MemoryId, e => FirstVector(e.TextVectors, vectors![0].TextVectors), StringComparer.Ordinal, ct);
        var inputVectors = vectors?.Select(v => FirstVector(v.TextVectors, v.TextVectors)).ToArray();

        for (var i = 0; i < inputs.Count; i++)
        {
            var best = (Score: double.MinValue, Match: (Duplicate?)null);
            foreach (var id in candidateIds[i])
            {
                if (existing.TryGetValue(id, out var memory))
                {
                    var score = Similarity(inputs[i].Text, memory.Text, inputVectors?[i], existingVectors.GetValueOrDefault(id));
                    if (score > best.Score)
                    {
                        best = (score, new Duplicate(id, memory));
                    }
                }
            }

            for (var j = 0; j < i; j++)
            {
                var score = Similarity(inputs[i].Text, inputs[j].Text, inputVectors?[i], inputVectors?[j]);
                if (score > best.Score)
                {
                    best = (score, result[j] ?? new Duplicate(inputs[j].Id, null));
                }
            }

            if (best.Match is not null && best.Score >= threshold)
            {
                result[i] = best.Match;
            }
        }

        return result;
    }

    private static float[] FirstVector(byte[] blob, byte[] reference)
    {
        var dims = reference.Length / sizeof(float);
        var all = VectorCodec.Decode(blob);
        return dims == 0 || all.Length < dims ? [] : all[..dims].ToArray();
    }

    // The same text (ignoring case and spacing) is always a duplicate: the model quantises activations per batch, so
    // the vector of a very short text varies with its batch-mates ("I agree" alone vs beside a long sentence: 0.964).
    private static double Similarity(string a, string b, float[]? va, float[]? vb) =>
        Normalise(a) == Normalise(b) ? 1.0
        : va is { Length: > 0 } && vb is { Length: > 0 } && va.Length == vb.Length ? TensorPrimitives.Dot(va.AsSpan(), vb.AsSpan())
        : 0.0;

    private static string Normalise(string text) =>
        string.Join(' ', text.ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
