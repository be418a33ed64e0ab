using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Mnemo.Storage.Copy;

/// <summary>
/// A value read from the source, made acceptable to the target column it is written to, without changing what it means.
/// Only times need it: SQLite hands <see cref="DateTime"/> back with <see cref="DateTimeKind.Unspecified"/> (it stores
/// text), and Npgsql refuses anything but UTC for <c>timestamp with time zone</c> (and anything but a zero offset for a
/// <see cref="DateTimeOffset"/>), rather than guess a time zone. Mnemo and OpenIddict write UTC everywhere, so an
/// unspecified time is a UTC one.
/// </summary>
internal static class TargetValues
{
    public static object? For(IProperty target, object? value)
    {
        // A converter (e.g. DateTimeOffset as Unix milliseconds) stores something else; the model value is fine as it is.
        if (value is null || target.GetTypeMapping().Converter is not null)
        {
            return value;
        }

        var storeType = target.GetColumnType();
        var withTimeZone = storeType.StartsWith("timestamp with time zone", StringComparison.OrdinalIgnoreCase)
            || storeType.StartsWith("timestamptz", StringComparison.OrdinalIgnoreCase);
        var withoutTimeZone = storeType.StartsWith("timestamp without time zone", StringComparison.OrdinalIgnoreCase)
            || storeType.Equals("timestamp", StringComparison.OrdinalIgnoreCase);
        return value switch
        {
            DateTime t when withTimeZone => t.Kind switch
            {
                DateTimeKind.Utc => t,
                DateTimeKind.Local => t.ToUniversalTime(),
                _ => DateTime.SpecifyKind(t, DateTimeKind.Utc),
            },
            DateTime t when withoutTimeZone && t.Kind == DateTimeKind.Utc => DateTime.SpecifyKind(t, DateTimeKind.Unspecified),
            DateTimeOffset t when withTimeZone => t.ToUniversalTime(),
            _ => value,
        };
    }
}
