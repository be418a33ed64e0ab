using Microsoft.Extensions.Logging.Abstractions;
using Mnemo.Memory.Search.Embeddings;

namespace Mnemo.Memory.Tests;

/// <summary>One loaded MiniLM model for every test that needs vectors (a load takes about half a second).</summary>
public sealed class EmbeddingModelFixture : IAsyncLifetime
{
    internal LocalMiniLmEmbeddingService Model { get; } = new(NullLogger<LocalMiniLmEmbeddingService>.Instance);

    public async Task InitializeAsync()
    {
        await Model.LoadAsync(CancellationToken.None);
        Assert.True(Model.IsEnabled, Model.Status.Reason);
    }

    public Task DisposeAsync()
    {
        Model.Dispose();
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class EmbeddingModelCollection : ICollectionFixture<EmbeddingModelFixture>
{
    public const string Name = "embedding model";
}
