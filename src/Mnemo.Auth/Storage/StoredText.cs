namespace Mnemo.Auth.Storage;

/// <summary>What a lookup by a caller's string must check before it becomes a query parameter.</summary>
internal static class StoredText
{
    /// <summary>
    /// Whether <paramref name="value"/> could equal a stored value. No stored text holds a NUL character (names are
    /// validated, ids generated, and PostgreSQL refuses NUL in text), but PostgreSQL also refuses it as a parameter
    /// and fails the whole query: a typed or posted "a%00b" must find nothing, as on SQLite, not end in a 500.
    /// </summary>
    public static bool CanMatch(string? value) => value is not null && !value.Contains('\0', StringComparison.Ordinal);
}
