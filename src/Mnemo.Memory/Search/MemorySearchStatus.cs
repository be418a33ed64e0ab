using Mnemo.Memory.Search.Embeddings;

namespace Mnemo.Memory.Search;

/// <summary>
/// The search component as <c>/status</c> shows it. Keyword search is always up; <see cref="Semantic"/> says whether
/// vectors are used, and why not. A degraded semantic part never makes the server unready: keyword search answers.
/// </summary>
public interface IMemorySearchStatus
{
    /// <summary>
    /// <c>ok</c> (keyword + semantic), <c>loading</c> (model loading in the background; keyword only meanwhile),
    /// <c>disabled</c> (keyword only by configuration) or <c>degraded</c> (the model failed; keyword only; see <see cref="Reason"/>).
    /// </summary>
    string State { get; }

    EmbeddingStatus Semantic { get; }

    /// <summary>A one-line explanation for people (null when everything works and no vectors are being back-filled).</summary>
    string? Reason { get; }
}

internal sealed class MemorySearchStatus(IEmbeddingService embeddings, BackfillProgress backfill) : IMemorySearchStatus
{
    public string State => embeddings.Status.State switch
    {
        EmbeddingState.Ready => "ok",
        EmbeddingState.Loading => "loading",
        EmbeddingState.Disabled => "disabled",
        _ => "degraded",
    };

    public EmbeddingStatus Semantic => embeddings.Status;

    public string? Reason => embeddings.Status.State switch
    {
        EmbeddingState.Ready => backfill.Current is { } pass
            ? $"Computing vectors for {pass.Total - pass.Done:N0} of {pass.Total:N0} memories (new model, or written while it was not loaded); until then they are found by keyword only."
            : null,
        EmbeddingState.Loading => "The embedding model is loading; search is keyword-only until it is ready.",
        EmbeddingState.Disabled => embeddings.Status.Reason,
        _ => embeddings.Status.Reason + " Keyword search keeps working.",
    };
}
