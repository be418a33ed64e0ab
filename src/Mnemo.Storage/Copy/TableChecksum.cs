using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;

namespace Mnemo.Storage.Copy;

/// <summary>A table's row count and content checksum.</summary>
/// <param name="Checksum">Lower-case hex SHA-256 over every row in primary-key order, every column in canonical form.</param>
public sealed record TableChecksum(string Table, long Rows, string Checksum);

/// <summary>
/// Hashes a table the same way on any provider, so a copy can be checked against its source without trusting the code
/// that copied it: SHA-256 over the rows in primary-key order (byte order for text: SQLite's default, and the "C"
/// collation Mnemo's PostgreSQL models use), each row's columns in column-name order, each value in
/// <see cref="CanonicalValue"/> form framed by its length, so that no two different tables hash alike by shifting
/// text between columns, and null differs from "".
/// </summary>
internal static class TableChecksums
{
    public static async Task<TableChecksum> ComputeAsync(DbContext db, CopyTable table, int batchSize, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        // The property names first: the same rows under other columns are another table.
        foreach (var column in table.Columns)
        {
            Append(hash, column.Name);
        }

        long rows = 0;
        await foreach (var batch in TableReader.ReadAsync(db, table, batchSize, ct))
        {
            foreach (var row in batch)
            {
                foreach (var value in row.Values)
                {
                    Append(hash, CanonicalValue.Of(value));
                }

                rows++;
            }
        }

        db.ChangeTracker.Clear();
        return new TableChecksum(table.Name, rows, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    private static void Append(IncrementalHash hash, string? text)
    {
        Span<byte> header = stackalloc byte[5];
        if (text is null)
        {
            header[0] = 0;
            hash.AppendData(header[..1]);
            return;
        }

        var bytes = Encoding.UTF8.GetBytes(text);
        header[0] = 1;
        BinaryPrimitives.WriteInt32BigEndian(header[1..], bytes.Length);
        hash.AppendData(header);
        hash.AppendData(bytes);
    }
}
