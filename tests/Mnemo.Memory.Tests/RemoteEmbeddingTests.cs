using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Mnemo.Memory.Memories;
using Mnemo.Memory.Search.Embeddings;

namespace Mnemo.Memory.Tests;

public sealed class RemoteEmbeddingTests
{
    [Fact]
    public async Task RemoteProvider_NormalisesVectors_AndIsUsedForSearch()
    {
        var remote = new RemoteEmbeddingService(new FakeGenerator(), "openai:fake@localhost", NullLogger<RemoteEmbeddingService>.Instance);
        await remote.LoadAsync(CancellationToken.None);
        await using var db = await MemoryTestDatabase.CreateAsync(remote);
        var caller = new MemoryCaller("alice", null);
        await db.Service.AddAsync(caller, [new("alpha")]);
        await db.Service.AddAsync(caller, [new("beta")]);

        var vector = (await remote.EmbedAsync(["alpha"], CancellationToken.None))[0];

        Assert.True(remote.IsEnabled);
        Assert.Equal(3, remote.Dimensions);
        Assert.Equal(1.0, Math.Sqrt(vector.Sum(v => v * v)), 3);
        Assert.Equal("openai:fake@localhost", (await db.QueryAsync("SELECT DISTINCT model FROM memory_embeddings")).Single()[0]);
        // "first letter" is a synonym of alpha only for the fake model: found by the dense part alone.
        Assert.Equal("alpha", (await db.Service.SearchAsync(caller, new SearchRequest("first letter", Limit: 1))).Single().Memory.Text);
    }

    [Fact]
    public async Task RemoteProvider_ThatDoesNotAnswer_IsDegradedWithTheReason()
    {
        var remote = new RemoteEmbeddingService(new FakeGenerator { Fail = true }, "openai:fake@localhost", NullLogger<RemoteEmbeddingService>.Instance);

        await remote.LoadAsync(CancellationToken.None);

        Assert.False(remote.IsEnabled);
        Assert.Equal(EmbeddingState.Degraded, remote.Status.State);
        Assert.Contains("connection refused", remote.Status.Reason);
    }

    [Theory]
    [InlineData(null, "text-embedding-3-small", "Mnemo:Memory:Embeddings:Endpoint must be the http(s) base URL")]
    [InlineData("ftp://x", "text-embedding-3-small", "Mnemo:Memory:Embeddings:Endpoint must be the http(s) base URL")]
    [InlineData("http://localhost:11434/v1", " ", "Mnemo:Memory:Embeddings:Model must name the embedding model")]
    public void RemoteProvider_WithMissingSettings_FailsNamingTheSetting(string? endpoint, string model, string expected)
    {
        using var provider = new ServiceCollection()
            .AddMnemoMemory("Data Source=:memory:", o => { o.Embeddings.Provider = "OpenAI"; o.Embeddings.Endpoint = endpoint; o.Embeddings.Model = model; })
            .BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<MemoryOptions>>().Value);

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void RemoteProvider_IsChosenByConfiguration()
    {
        using var provider = new ServiceCollection()
            .AddMnemoMemory("Data Source=:memory:", o => { o.Embeddings.Provider = "OpenAI"; o.Embeddings.Endpoint = "http://127.0.0.1:9/v1"; o.Embeddings.Model = "m"; })
            .BuildServiceProvider();

        var embeddings = provider.GetRequiredService<IEmbeddingService>();

        Assert.IsType<RemoteEmbeddingService>(embeddings);
        Assert.Equal("openai:m@127.0.0.1:9", embeddings.ModelId);
    }

    /// <summary>A three-dimensional "model": alpha and "first letter" point the same way, unnormalised.</summary>
    private sealed class FakeGenerator : IEmbeddingGenerator<string, Embedding<float>>
    {
        public bool Fail { get; init; }

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            if (Fail)
            {
                throw new HttpRequestException("connection refused");
            }

            return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(values.Select(v => new Embedding<float>(
                v.Contains("alpha", StringComparison.Ordinal) || v.Contains("first", StringComparison.Ordinal) ? new float[] { 3, 0, 0 }
                : v.Contains("beta", StringComparison.Ordinal) ? new float[] { 0, 3, 0 } : new float[] { 0, 0, 3 }))));
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
