using System.Runtime.InteropServices;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Mnemo.Memory.Search.Embeddings;
using Onnx;

namespace Mnemo.Memory.Tests.Embeddings;

public sealed class OnnxWeightQuantizerTests
{
    [Fact]
    public void QuantizeColumns_KeepsEveryWeightWithinHalfAStepOfItsColumnScale()
    {
        var random = new Random(7);
        const int rows = 40, columns = 9;
        var matrix = Enumerable.Range(0, rows * columns).Select(i => (float)(random.NextDouble() - 0.5) * (1 + i % columns)).ToArray();

        var (codes, scales) = OnnxWeightQuantizer.QuantizeColumns(matrix, rows, columns);

        for (var c = 0; c < columns; c++)
        {
            var column = Enumerable.Range(0, rows).Select(r => r * columns + c).ToArray();
            // The largest weight of each column maps to the largest code, so no column wastes range.
            Assert.Equal(OnnxWeightQuantizer.WeightLevels, column.Max(i => Math.Abs((int)(sbyte)codes[i])));
            foreach (var i in column)
            {
                Assert.InRange((int)(sbyte)codes[i], -OnnxWeightQuantizer.WeightLevels, OnnxWeightQuantizer.WeightLevels);
                Assert.True(Math.Abs(matrix[i] - (sbyte)codes[i] * scales[c]) <= scales[c] / 2 + 1e-6f, $"weight {i} off by more than half a step");
            }
        }
    }

    [Fact]
    public void QuantizeColumns_AllZeroColumn_GetsZeroCodesAndAUsableScale()
    {
        var (codes, scales) = OnnxWeightQuantizer.QuantizeColumns([0f, 1f, 0f, -2f], rows: 2, columns: 2);

        Assert.Equal([0, 0], new[] { (sbyte)codes[0], (sbyte)codes[2] }.Select(c => (int)c));
        Assert.Equal(1f, scales[0]);
        Assert.Equal(2f / OnnxWeightQuantizer.WeightLevels, scales[1], 6);
    }

    [Fact]
    public void Quantize_RewritesOnlyProductsWithConstantWeights_AndTheModelStillComputesThem()
    {
        // y = (x · W) · z: W is a constant (quantised), z is an input (must stay a float MatMul).
        var random = new Random(11);
        var weights = Enumerable.Range(0, 4 * 3).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var model = TwoProductModel(weights);

        var (quantized, count) = OnnxWeightQuantizer.Quantize(new MemoryStream(model.ToByteArray()));

        Assert.Equal(1, count);
        var graph = ModelProto.Parser.ParseFrom(quantized).Graph;
        Assert.Equal(["DynamicQuantizeMatMul", "MatMul"], graph.Node.Select(n => n.OpType));
        Assert.DoesNotContain(graph.Initializer, i => i.Name == "W");
        Assert.Contains(ModelProto.Parser.ParseFrom(quantized).OpsetImport, o => o.Domain == "com.microsoft");

        float[] x = [0.5f, -1f, 0.25f, 2f, 1f, 0f, -0.5f, 0.75f];
        float[] z = [1f, 0f, 0f, 1f, 1f, 1f];
        var expected = Run(model.ToByteArray(), x, z);
        var actual = Run(quantized, x, z);
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            // int8 weights and uint8 activations: a few percent of the value range, not exact.
            Assert.InRange(actual[i], expected[i] - 0.1f, expected[i] + 0.1f);
        }
    }

    private static float[] Run(byte[] model, float[] x, float[] z)
    {
        using var session = new InferenceSession(model);
        using var xValue = OrtValue.CreateTensorValueFromMemory(x, [2, 4]);
        using var zValue = OrtValue.CreateTensorValueFromMemory(z, [3, 2]);
        using var outputs = session.Run(new RunOptions(), ["x", "z"], [xValue, zValue], ["y"]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    private static ModelProto TwoProductModel(float[] weights)
    {
        var graph = new GraphProto { Name = "two-products" };
        var w = new TensorProto { Name = "W", DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(weights.AsSpan())) };
        w.Dims.Add([4, 3]);
        graph.Initializer.Add(w);
        graph.Input.Add(FloatInput("x", 2, 4));
        graph.Input.Add(FloatInput("z", 3, 2));
        graph.Output.Add(FloatInput("y", 2, 2));
        graph.Node.Add(Node("MatMul", ["x", "W"], "xw"));
        graph.Node.Add(Node("MatMul", ["xw", "z"], "y"));
        var model = new ModelProto { IrVersion = 7, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        return model;
    }

    private static NodeProto Node(string op, string[] inputs, string output)
    {
        var node = new NodeProto { OpType = op, Name = output };
        node.Input.Add(inputs);
        node.Output.Add(output);
        return node;
    }

    private static ValueInfoProto FloatInput(string name, params long[] dims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(dims.Select(d => new TensorShapeProto.Types.Dimension { DimValue = d }));
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}
