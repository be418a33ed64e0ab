namespace Mnemo.Memory.Search.Embeddings;

/// <summary><c>Mnemo:Memory:Embeddings:Provider = None</c>: keyword search only, reported as disabled.</summary>
internal sealed class DisabledEmbeddingService : IEmbeddingService
{
    public bool IsEnabled => false;

    public EmbeddingStatus Status { get; } = new(EmbeddingState.Disabled, "none", "", "Semantic search is turned off by Mnemo:Memory:Embeddings:Provider = None.");

    public string ModelId => "";

    public int Dimensions => 0;

    public Task LoadAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("Semantic search is turned off.");
}
