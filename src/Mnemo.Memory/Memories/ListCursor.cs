using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Mnemo.Memory.Memories;

/// <summary>
/// The opaque list cursor: the (created_at, id) of the last item returned, base64url-encoded. Keyset paging,
/// so pages stay stable while memories are added. A cursor reveals nothing the caller did not already receive.
/// </summary>
internal readonly record struct ListCursor(long CreatedAt, string Id)
{
    private const string Version = "1";

    public string Encode() =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Version}:{CreatedAt}:{Id}")));

    private const int MaxLength = 256;

    public static ListCursor? Decode(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return null;
        }

        // A real cursor is ~70 characters; a longer one is refused before it is decoded.
        if (cursor.Length > MaxLength)
        {
            throw new MemoryValidationException(MemoryErrors.Cursor());
        }

        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
            var parts = text.Split(':', 3);
            if (parts.Length == 3 && parts[0] == Version
                && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var createdAt)
                && Guid.TryParseExact(parts[2], "D", out _))
            {
                return new ListCursor(createdAt, parts[2]);
            }
        }
        catch (FormatException)
        {
        }

        throw new MemoryValidationException(MemoryErrors.Cursor());
    }
}
