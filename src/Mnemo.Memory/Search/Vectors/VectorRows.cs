using System.Numerics;

namespace Mnemo.Memory.Search.Vectors;

/// <summary>
/// Vectors in flat arrays, one row each: int8 codes with one scale per row (<see cref="Int8Vectors"/>: a quarter of the
/// memory and of the scan time of floats) and the row's sign bits, which a shortlist compares first (an eighth of the
/// code bytes to read). Rows are only appended; <see cref="VectorSet"/> decides which are live and compacts by copying
/// the live ones into a fresh instance.
/// </summary>
internal sealed class VectorRows(int dimensions, int capacity = 1024)
{
    private readonly int _words = (dimensions + 63) / 64;
    private sbyte[] _codes = new sbyte[dimensions * capacity];
    private float[] _scales = new float[capacity];
    private ulong[] _signs = new ulong[(dimensions + 63) / 64 * capacity];

    public int Count { get; private set; }

    /// <summary>Rows the arrays hold without growing (a compaction sizes the next instance from it).</summary>
    public int Capacity => _scales.Length;

    /// <summary>Quantises and appends the rows of <paramref name="values"/> (a whole number of vectors, concatenated).</summary>
    public void Append(ReadOnlySpan<float> values)
    {
        var rows = values.Length / dimensions;
        EnsureCapacity(rows);
        for (var r = 0; r < rows; r++)
        {
            _scales[Count] = Int8Vectors.Quantize(values.Slice(r * dimensions, dimensions), _codes.AsSpan(Count * dimensions, dimensions));
            SetSigns(Count);
            Count++;
        }
    }

    /// <summary>Appends <paramref name="count"/> rows of another instance as they are (a compaction: no re-quantising).</summary>
    public void AppendFrom(VectorRows source, int start, int count)
    {
        EnsureCapacity(count);
        source._codes.AsSpan(start * dimensions, count * dimensions).CopyTo(_codes.AsSpan(Count * dimensions));
        source._scales.AsSpan(start, count).CopyTo(_scales.AsSpan(Count));
        source._signs.AsSpan(start * _words, count * _words).CopyTo(_signs.AsSpan(Count * _words));
        Count += count;
    }

    /// <summary>The approximate dot product of row <paramref name="row"/> with a quantised query.</summary>
    public float Dot(int row, VectorQuery query) =>
        _scales[row] * query.Scale * Int8Vectors.Dot(_codes.AsSpan(row * dimensions, dimensions), query.Codes);

    /// <summary>On how many dimensions row <paramref name="row"/> and the query differ in sign (Hamming distance).</summary>
    public int SignDistance(int row, VectorQuery query)
    {
        var signs = _signs.AsSpan(row * _words, _words);
        var differing = 0;
        for (var w = 0; w < signs.Length; w++)
        {
            differing += BitOperations.PopCount(signs[w] ^ query.Signs[w]);
        }

        return differing;
    }

    private void SetSigns(int row) => Int8Vectors.Signs(_codes.AsSpan(row * dimensions, dimensions), _signs.AsSpan(row * _words, _words));

    private void EnsureCapacity(int rows)
    {
        if (Count + rows > _scales.Length)
        {
            var capacity = Math.Max(Count + rows, _scales.Length * 2);
            Array.Resize(ref _codes, capacity * dimensions);
            Array.Resize(ref _scales, capacity);
            Array.Resize(ref _signs, capacity * _words);
        }
    }
}

/// <summary>A query vector, quantised once per search: its codes, scale and sign bits.</summary>
internal sealed class VectorQuery
{
    private VectorQuery(sbyte[] codes, float scale, ulong[] signs)
    {
        Codes = codes;
        Scale = scale;
        Signs = signs;
    }

    public sbyte[] Codes { get; }
    public float Scale { get; }
    public ulong[] Signs { get; }

    public static VectorQuery From(float[] vector)
    {
        var codes = new sbyte[vector.Length];
        var scale = Int8Vectors.Quantize(vector, codes);
        var signs = new ulong[(vector.Length + 63) / 64];
        Int8Vectors.Signs(codes, signs);
        return new VectorQuery(codes, scale, signs);
    }
}
