using System.Runtime.InteropServices;

namespace Mnemo.Memory.Search.Vectors;

/// <summary>Vectors as stored: float32, little-endian, concatenated.</summary>
internal static class VectorCodec
{
    public static byte[] Encode(IReadOnlyList<float[]> vectors)
    {
        var dims = vectors.Count == 0 ? 0 : vectors[0].Length;
        var bytes = new byte[vectors.Count * dims * sizeof(float)];
        for (var i = 0; i < vectors.Count; i++)
        {
            MemoryMarshal.AsBytes(vectors[i].AsSpan()).CopyTo(bytes.AsSpan(i * dims * sizeof(float)));
        }

        return bytes;
    }

    public static byte[] Encode(float[] vector) => MemoryMarshal.AsBytes(vector.AsSpan()).ToArray();

    public static ReadOnlySpan<float> Decode(byte[] bytes) => MemoryMarshal.Cast<byte, float>(bytes);
}
