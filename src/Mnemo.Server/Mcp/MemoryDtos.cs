using System.Text.Json.Serialization;
using Mnemo.Memory.Memories;

namespace Mnemo.Server.Mcp;

// Wire shapes of the memory tools' structuredContent. The owner's user id is deliberately absent:
// the caller already knows who they are, and nothing about other users ever leaves the server.

public sealed record MemoryDto(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("tags")] IReadOnlyList<string> Tags,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("app")] string? App,
    [property: JsonPropertyName("occurred_at")] DateTimeOffset OccurredAt,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("updated_at")] DateTimeOffset UpdatedAt)
{
    public static MemoryDto From(MemoryRecord m) =>
        new(m.Id, m.Text, m.Tags, m.State.ToString().ToLowerInvariant(), m.App, m.OccurredAt, m.CreatedAt, m.UpdatedAt);
}

public sealed record SearchResultDto(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("tags")] IReadOnlyList<string> Tags,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("app")] string? App,
    [property: JsonPropertyName("occurred_at")] DateTimeOffset OccurredAt,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("score")] double Score);

public sealed record SearchResultsDto([property: JsonPropertyName("results")] IReadOnlyList<SearchResultDto> Results);

public sealed record AddedDto([property: JsonPropertyName("id")] string Id, [property: JsonPropertyName("status")] string Status);

public sealed record AddResultsDto([property: JsonPropertyName("results")] IReadOnlyList<AddedDto> Results);

public sealed record MemoryListDto(
    [property: JsonPropertyName("memories")] IReadOnlyList<MemoryDto> Memories,
    [property: JsonPropertyName("next_cursor")] string? NextCursor);

public sealed record DeletedDto([property: JsonPropertyName("deleted")] int Deleted);

// ChatGPT connector shapes (its "search" and "fetch" tool contract).
public sealed record ConnectorSearchHitDto(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("url")] string Url);

public sealed record ConnectorSearchDto([property: JsonPropertyName("results")] IReadOnlyList<ConnectorSearchHitDto> Results);

public sealed record ConnectorDocumentDto(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("metadata")] IReadOnlyDictionary<string, string?> Metadata);
