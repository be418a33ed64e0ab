namespace Mnemo.Memory.Search.Embeddings;

/// <summary>State of the semantic search component, for <c>/status</c>.</summary>
public enum EmbeddingState
{
    /// <summary>The model is being loaded in the background; keyword search answers meanwhile.</summary>
    Loading,

    /// <summary>Vectors are computed and used in ranking.</summary>
    Ready,

    /// <summary>The model could not be loaded; keyword search keeps working. <see cref="EmbeddingStatus.Reason"/> says why.</summary>
    Degraded,

    /// <summary>Turned off by configuration (<c>Mnemo:Memory:Embeddings:Provider = None</c>).</summary>
    Disabled,
}

/// <summary>What <c>/status</c> shows for semantic search.</summary>
public sealed record EmbeddingStatus(EmbeddingState State, string Provider, string Model, string? Reason);

/// <summary>
/// Turns text into normalised vectors. Never blocks start-up: <see cref="LoadAsync"/> runs in the background
/// (<see cref="SearchBackgroundService"/>); until it succeeds <see cref="IsEnabled"/> is false and search is keyword-only.
/// </summary>
public interface IEmbeddingService
{
    /// <summary>True once the model is loaded and <see cref="EmbedAsync"/> can be called.</summary>
    bool IsEnabled { get; }

    EmbeddingStatus Status { get; }

    /// <summary>Identifies the model and its version; vectors stored under another id are recomputed.</summary>
    string ModelId { get; }

    int Dimensions { get; }

    /// <summary>Loads the model (idempotent). Failures are caught and reported through <see cref="Status"/>.</summary>
    Task LoadAsync(CancellationToken cancellationToken);

    /// <summary>One unit-length vector per text, in input order. Callers chunk long text (see <see cref="TextChunker"/>).</summary>
    Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken);
}
