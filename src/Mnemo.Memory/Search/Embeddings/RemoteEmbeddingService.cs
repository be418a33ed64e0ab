using System.ClientModel;
using System.Numerics.Tensors;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using OpenAI;

namespace Mnemo.Memory.Search.Embeddings;

/// <summary>
/// Any OpenAI-compatible embeddings endpoint (OpenAI, Azure OpenAI, Ollama, vLLM, LM Studio…) through
/// Microsoft.Extensions.AI, chosen by <c>Mnemo:Memory:Embeddings:Provider = OpenAI</c>. Memory texts leave the
/// machine: the operator opts in by configuration. <see cref="LoadAsync"/> probes the endpoint once; when it fails
/// search stays keyword-only and /status says why.
/// </summary>
internal sealed partial class RemoteEmbeddingService : IEmbeddingService
{
    private const int BatchSize = 64;
    private readonly IEmbeddingGenerator<string, Embedding<float>> _generator;
    private readonly ILogger<RemoteEmbeddingService> _logger;
    private volatile EmbeddingStatus _status;
    private volatile bool _ready;
    private int _dimensions;

    public RemoteEmbeddingService(MemoryEmbeddingOptions options, ILogger<RemoteEmbeddingService> logger)
        : this(
            new OpenAIClient(new ApiKeyCredential(string.IsNullOrEmpty(options.ApiKey) ? "unused" : options.ApiKey), new OpenAIClientOptions { Endpoint = new Uri(options.Endpoint!) })
                .GetEmbeddingClient(options.Model!)
                .AsIEmbeddingGenerator(options.Dimensions),
            $"openai:{options.Model}@{new Uri(options.Endpoint!).Authority}",
            logger)
    {
    }

    internal RemoteEmbeddingService(IEmbeddingGenerator<string, Embedding<float>> generator, string modelId, ILogger<RemoteEmbeddingService> logger)
    {
        _generator = generator;
        _logger = logger;
        ModelId = modelId;
        _status = new EmbeddingStatus(EmbeddingState.Loading, "openai", modelId, null);
    }

    public bool IsEnabled => _ready;

    public EmbeddingStatus Status => _status;

    public string ModelId { get; }

    public int Dimensions => _dimensions;

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        if (_ready)
        {
            return;
        }

        try
        {
            var probe = await EmbedCoreAsync(["probe"], cancellationToken);
            _dimensions = probe[0].Length;
            _ready = true;
            _status = _status with { State = EmbeddingState.Ready, Reason = null };
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _status = _status with { State = EmbeddingState.Degraded, Reason = $"The embeddings endpoint did not answer: {e.Message}" };
            LogProbeFailed(_logger, e, ModelId);
        }
    }

    public Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken) =>
        _ready ? EmbedCoreAsync(texts, cancellationToken) : throw new InvalidOperationException("The embeddings endpoint is not ready; check IsEnabled first.");

    private async Task<float[][]> EmbedCoreAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        var result = new List<float[]>(texts.Count);
        foreach (var batch in texts.Chunk(BatchSize))
        {
            var embeddings = await _generator.GenerateAsync(batch, cancellationToken: cancellationToken);
            foreach (var embedding in embeddings)
            {
                // Cosine by dot product needs unit vectors; not every server normalises.
                var vector = embedding.Vector.ToArray();
                var norm = TensorPrimitives.Norm(vector);
                if (norm > 0)
                {
                    TensorPrimitives.Divide(vector, norm, vector);
                }

                result.Add(vector);
            }
        }

        return [.. result];
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Embeddings endpoint {Model} did not answer; search is keyword-only.")]
    private static partial void LogProbeFailed(ILogger logger, Exception exception, string model);
}
