using System.Text;

namespace Mnemo.Server.Mcp;

/// <summary>The text blocks models read. Memory text is printed verbatim, never JSON-escaped.</summary>
internal static class MemoryText
{
    public static string NotFound(string? id) =>
        $"No memory with id '{id}'. Use search_memory or list_memories to find the right id.";

    public static string SearchResults(string query, IReadOnlyList<SearchResultDto> results)
    {
        if (results.Count == 0)
        {
            return $"No memories match \"{query}\".";
        }

        var text = new StringBuilder();
        text.AppendLine($"{results.Count} memor{(results.Count == 1 ? "y" : "ies")}, best first:");
        var rank = 1;
        foreach (var r in results)
        {
            text.AppendLine();
            text.AppendLine($"{rank++}. {r.Text}");
            text.AppendLine($"   id: {r.Id} | score: {r.Score:0.####} | occurred: {r.OccurredAt.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}{Tags(r.Tags)}");
        }

        return text.ToString().TrimEnd();
    }

    public static string List(MemoryListDto page)
    {
        if (page.Memories.Count == 0)
        {
            return "No memories.";
        }

        var text = new StringBuilder();
        foreach (var m in page.Memories)
        {
            text.AppendLine($"- {m.Text}");
            text.AppendLine($"  id: {m.Id} | state: {m.State} | created: {m.CreatedAt.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}{Tags(m.Tags)}");
        }

        if (page.NextCursor is not null)
        {
            text.AppendLine($"More: call list_memories with cursor \"{page.NextCursor}\".");
        }

        return text.ToString().TrimEnd();
    }

    public static string One(MemoryDto m) =>
        $"{m.Text}\nid: {m.Id} | state: {m.State} | app: {m.App ?? "unknown"} | occurred: {m.OccurredAt.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'} | updated: {m.UpdatedAt.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}{Tags(m.Tags)}";

    private static string Tags(IReadOnlyList<string> tags) => tags.Count == 0 ? "" : $" | tags: {string.Join(", ", tags)}";
}
