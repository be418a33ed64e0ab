using Mnemo.Memory.Search.Vectors;

namespace Mnemo.Memory.Tests.Vectors;

public sealed class Int8VectorsTests
{
    [Theory]
    [InlineData(384)]
    [InlineData(100)] // not a multiple of the 32-byte SIMD step: the tail is summed one by one
    public void Dot_EqualsTheScalarSum(int length)
    {
        var random = new Random(length);
        var a = Enumerable.Range(0, length).Select(_ => (sbyte)random.Next(-127, 128)).ToArray();
        var b = Enumerable.Range(0, length).Select(_ => (sbyte)random.Next(-127, 128)).ToArray();

        Assert.Equal(a.Zip(b, (x, y) => x * y).Sum(), Int8Vectors.Dot(a, b));
    }

    [Fact]
    public void Quantize_KeepsTheCosineOfUnitVectorsWithinAHundredth()
    {
        var random = new Random(7);
        for (var trial = 0; trial < 50; trial++)
        {
            var x = UnitVector(random);
            var y = UnitVector(random);
            var (cx, cy) = (new sbyte[384], new sbyte[384]);
            var approximate = Int8Vectors.Quantize(x, cx) * Int8Vectors.Quantize(y, cy) * Int8Vectors.Dot(cx, cy);

            Assert.Equal(x.Zip(y, (a, b) => a * b).Sum(), approximate, 0.01);
        }
    }

    [Fact]
    public void Quantize_OfAZeroVector_GivesZeroCodesAndScale()
    {
        var codes = new sbyte[8];

        Assert.Equal(0, Int8Vectors.Quantize(new float[8], codes));
        Assert.All(codes, c => Assert.Equal(0, c));
    }

    [Fact]
    public void Signs_SetOneBitPerPositiveDimension()
    {
        var codes = new sbyte[70];
        codes[0] = 5;
        codes[1] = -5;
        codes[64] = 1;
        codes[69] = 127;
        var signs = new ulong[2] { ulong.MaxValue, ulong.MaxValue };

        Int8Vectors.Signs(codes, signs);

        Assert.Equal(1UL, signs[0]);
        Assert.Equal((1UL << 0) | (1UL << 5), signs[1]);
    }

    internal static float[] UnitVector(Random random)
    {
        var vector = Enumerable.Range(0, 384).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var norm = MathF.Sqrt(vector.Sum(v => v * v));
        return [.. vector.Select(v => v / norm)];
    }
}
