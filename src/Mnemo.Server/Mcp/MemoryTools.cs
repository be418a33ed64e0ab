using System.ComponentModel;
using System.Security.Claims;
using System.Text;
using Mnemo.Memory.Memories;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Mnemo.Server.Mcp;

/// <summary>
/// The memory tools. Descriptions are the model-facing documentation: they say when to call a tool, not
/// only what it does. Every tool acts as the authenticated user (<see cref="McpCaller"/>).
/// </summary>
[McpServerToolType]
public sealed class MemoryTools(IMemoryService store)
{
    [McpServerTool(Name = "add_memories", Title = "Save memories", Destructive = false, Idempotent = false, OpenWorld = false,
        UseStructuredContent = true, OutputSchemaType = typeof(AddResultsDto))]
    [Description("Save durable facts about the user so you can recall them in later conversations: preferences, biographical facts, decisions, goals, people and projects they mention, corrections to what you knew. Write each fact as one short, self-contained sentence in the third person (\"Prefers tea over coffee.\"). Send several facts from one conversation in one call; they are kept as neighbours. Do not save secrets such as passwords. Returns, in input order, each memory's id and whether it was added or updated an existing near-duplicate.")]
    public Task<CallToolResult> AddMemories(
        ClaimsPrincipal user,
        McpServer server,
        [Description("The facts to save, 1 to 100 items, each 1 to 8,000 characters.")] string[] memories,
        [Description("Optional tags applied to every memory in this call, e.g. [\"work\", \"health\"].")] string[]? tags = null,
        [Description("Optional RFC 3339 time when these facts happened or were said, e.g. 2025-03-14T09:30:00Z. Defaults to now.")] string? occurred_at = null,
        CancellationToken cancellationToken = default) => ToolResults.Guard(async () =>
    {
        var caller = McpCaller.From(user, server);
        var occurredAt = ToolInput.ParseTime(occurred_at, "occurred_at");
        var inputs = (memories ?? []).Select(text => new NewMemory(text ?? "", tags, occurredAt)).ToList();
        var outcomes = await store.AddAsync(caller, inputs, cancellationToken);

        var text = new StringBuilder();
        text.AppendLine($"Saved {outcomes.Count} memor{(outcomes.Count == 1 ? "y" : "ies")}:");
        foreach (var outcome in outcomes)
        {
            text.AppendLine($"- {outcome.Id}: {outcome.Outcome}");
        }

        return ToolResults.Success(text.ToString().TrimEnd(), new AddResultsDto([.. outcomes.Select(o => new AddedDto(o.Id, o.Outcome))]));
    });

    [McpServerTool(Name = "search_memory", Title = "Search memories", ReadOnly = true, Idempotent = true, OpenWorld = false,
        UseStructuredContent = true, OutputSchemaType = typeof(SearchResultsDto))]
    [Description("Search what you know about the user. Call it before answering anything personal or anything that may depend on the user's preferences, history, people, projects or earlier decisions — even when they do not ask you to remember. Use natural-language queries with the key words (names, places, topics). Results come best first, with each memory's text exactly as saved.")]
    public Task<CallToolResult> SearchMemory(
        ClaimsPrincipal user,
        McpServer server,
        [Description("What to look for, in natural language, e.g. \"favourite coffee\" or \"Alice's birthday\".")] string query,
        [Description("How many results to return, 1 to 100. Default 10.")] int limit = 10,
        [Description("Only memories that have all of these tags.")] string[]? tags = null,
        [Description("Only memories that happened at or after this RFC 3339 time.")] string? occurred_after = null,
        [Description("Only memories that happened at or before this RFC 3339 time.")] string? occurred_before = null,
        [Description("Only memories written by this client app (as shown in results).")] string? app = null,
        [Description("Search memories in this state instead: active (default), paused or archived.")] string? state = null,
        CancellationToken cancellationToken = default) => ToolResults.Guard(async () =>
    {
        var caller = McpCaller.From(user, server);
        var request = new SearchRequest(query ?? "", limit, tags,
            ToolInput.ParseTime(occurred_after, "occurred_after"), ToolInput.ParseTime(occurred_before, "occurred_before"),
            ToolInput.ParseState(state, "state"), app);
        var hits = await store.SearchAsync(caller, request, cancellationToken);

        var results = hits.Select(h => new SearchResultDto(h.Memory.Id, h.Memory.Text, h.Memory.Tags,
            h.Memory.State.ToString().ToLowerInvariant(), h.Memory.App, h.Memory.OccurredAt, h.Memory.CreatedAt, Math.Round(h.Score, 4))).ToList();
        return ToolResults.Success(MemoryText.SearchResults(query ?? "", results), new SearchResultsDto(results));
    });

    [McpServerTool(Name = "list_memories", Title = "List memories", ReadOnly = true, Idempotent = true, OpenWorld = false,
        UseStructuredContent = true, OutputSchemaType = typeof(MemoryListDto))]
    [Description("List the user's memories, newest first, a page at a time. Use it when the user asks what you remember about them; use search_memory to find something specific.")]
    public Task<CallToolResult> ListMemories(
        ClaimsPrincipal user,
        McpServer server,
        [Description("The next_cursor of the previous page; omit for the first page.")] string? cursor = null,
        [Description("Page size, 1 to 100. Default 20.")] int limit = 20,
        [Description("Only memories that have all of these tags.")] string[]? tags = null,
        [Description("Only memories in this state: active (default), paused or archived.")] string? state = null,
        [Description("Only memories written by this client app.")] string? app = null,
        CancellationToken cancellationToken = default) => ToolResults.Guard(async () =>
    {
        var caller = McpCaller.From(user, server);
        var page = await store.ListAsync(caller, new ListRequest(cursor, limit, tags, ToolInput.ParseState(state, "state"), app), cancellationToken);
        var dto = new MemoryListDto([.. page.Items.Select(MemoryDto.From)], page.NextCursor);
        return ToolResults.Success(MemoryText.List(dto), dto);
    });

    [McpServerTool(Name = "get_memory", Title = "Get a memory", ReadOnly = true, Idempotent = true, OpenWorld = false,
        UseStructuredContent = true, OutputSchemaType = typeof(MemoryDto))]
    [Description("Get one memory by its id, with its tags, state and dates.")]
    public Task<CallToolResult> GetMemory(
        ClaimsPrincipal user,
        McpServer server,
        [Description("The memory's id, as returned by search_memory, list_memories or add_memories.")] string id,
        CancellationToken cancellationToken = default) => ToolResults.Guard(async () =>
    {
        var caller = McpCaller.From(user, server);
        var memory = await store.GetAsync(caller, id ?? "", cancellationToken)
            ?? throw new MemoryValidationException(MemoryText.NotFound(id));
        var dto = MemoryDto.From(memory);
        return ToolResults.Success(MemoryText.One(dto), dto);
    });

    [McpServerTool(Name = "update_memory", Title = "Update a memory", Destructive = true, Idempotent = true, OpenWorld = false,
        UseStructuredContent = true, OutputSchemaType = typeof(MemoryDto))]
    [Description("Correct a memory's text, or change its state (active, paused, archived). Use it when the user corrects something you remembered. The previous version is kept in history.")]
    public Task<CallToolResult> UpdateMemory(
        ClaimsPrincipal user,
        McpServer server,
        [Description("The memory's id.")] string id,
        [Description("The new text, 1 to 8,000 characters. Omit to keep the text.")] string? text = null,
        [Description("The new state: active, paused or archived. Omit to keep the state.")] string? state = null,
        CancellationToken cancellationToken = default) => ToolResults.Guard(async () =>
    {
        var caller = McpCaller.From(user, server);
        var updated = await store.UpdateAsync(caller, id ?? "", text, ToolInput.ParseState(state, "state"), cancellationToken);
        var dto = MemoryDto.From(updated);
        return ToolResults.Success("Updated.\n" + MemoryText.One(dto), dto);
    });

    [McpServerTool(Name = "delete_memories", Title = "Delete memories", Destructive = true, Idempotent = true, OpenWorld = false,
        UseStructuredContent = true, OutputSchemaType = typeof(DeletedDto))]
    [Description("Delete specific memories by id, when the user asks you to forget something. All ids must exist, or nothing is deleted.")]
    public Task<CallToolResult> DeleteMemories(
        ClaimsPrincipal user,
        McpServer server,
        [Description("The ids to delete, 1 to 100.")] string[] ids,
        CancellationToken cancellationToken = default) => ToolResults.Guard(async () =>
    {
        var caller = McpCaller.From(user, server);
        var count = await store.DeleteAsync(caller, ids ?? [], cancellationToken);
        return ToolResults.Success($"Deleted {count} memor{(count == 1 ? "y" : "ies")}.", new DeletedDto(count));
    });

    [McpServerTool(Name = "delete_all_memories", Title = "Delete all memories", Destructive = true, Idempotent = true, OpenWorld = false,
        UseStructuredContent = true, OutputSchemaType = typeof(DeletedDto))]
    [Description("Delete every memory of the user. Only when the user explicitly asks to erase everything; pass confirm = \"DELETE ALL\".")]
    public Task<CallToolResult> DeleteAllMemories(
        ClaimsPrincipal user,
        McpServer server,
        [Description("Must be exactly \"DELETE ALL\".")] string confirm,
        CancellationToken cancellationToken = default) => ToolResults.Guard(async () =>
    {
        if (confirm != "DELETE ALL")
        {
            throw new MemoryValidationException("Nothing was deleted: confirm must be exactly \"DELETE ALL\". Ask the user to confirm first.");
        }

        var caller = McpCaller.From(user, server);
        var count = await store.DeleteAllAsync(caller, cancellationToken);
        return ToolResults.Success($"Deleted all {count} memories.", new DeletedDto(count));
    });
}
