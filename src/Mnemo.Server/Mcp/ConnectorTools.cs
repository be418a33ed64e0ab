using System.ComponentModel;
using System.Security.Claims;
using Mnemo.Auth.OAuth;
using Mnemo.Memory.Memories;
using Mnemo.Server.Hosting;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Mnemo.Server.Mcp;

/// <summary>
/// The <c>search</c>/<c>fetch</c> pair in the exact shapes ChatGPT connectors (deep research, company
/// knowledge) require: search returns ids, titles and URLs; fetch returns one document.
/// </summary>
[McpServerToolType]
public sealed class ConnectorTools(IMemoryService memories, OAuthUrls urls, IHttpContextAccessor http)
{
    private const int TitleLength = 80;

    [McpServerTool(Name = "search", Title = "Search memories (connector)", ReadOnly = true, Idempotent = true, OpenWorld = false,
        UseStructuredContent = true, OutputSchemaType = typeof(ConnectorSearchDto))]
    [Description("Search the user's saved memories. Returns matching memory ids with a title and URL; call fetch with an id for the full text.")]
    public Task<CallToolResult> Search(
        ClaimsPrincipal user,
        McpServer server,
        [Description("What to look for, in natural language.")] string query,
        CancellationToken cancellationToken = default) => ToolResults.Guard(async () =>
    {
        var hits = await memories.SearchAsync(McpCaller.From(user, server), new SearchRequest(query ?? "", Limit: 10), cancellationToken);
        var dto = new ConnectorSearchDto([.. hits.Select(h => new ConnectorSearchHitDto(h.Memory.Id, Title(h.Memory.Text), MemoryUrl(h.Memory.Id)))]);
        return ToolResults.JsonText(dto);
    });

    [McpServerTool(Name = "fetch", Title = "Fetch a memory (connector)", ReadOnly = true, Idempotent = true, OpenWorld = false,
        UseStructuredContent = true, OutputSchemaType = typeof(ConnectorDocumentDto))]
    [Description("Fetch the full text of one memory by the id that search returned.")]
    public Task<CallToolResult> Fetch(
        ClaimsPrincipal user,
        McpServer server,
        [Description("The memory id from search.")] string id,
        CancellationToken cancellationToken = default) => ToolResults.Guard(async () =>
    {
        var memory = await memories.GetAsync(McpCaller.From(user, server), id ?? "", cancellationToken)
            ?? throw new MemoryValidationException(MemoryText.NotFound(id));
        var metadata = new Dictionary<string, string?>
        {
            ["tags"] = string.Join(",", memory.Tags),
            ["state"] = memory.State.ToString().ToLowerInvariant(),
            ["app"] = memory.App,
            ["occurred_at"] = memory.OccurredAt.UtcDateTime.ToString("O"),
            ["created_at"] = memory.CreatedAt.UtcDateTime.ToString("O"),
        };
        return ToolResults.JsonText(new ConnectorDocumentDto(memory.Id, Title(memory.Text), memory.Text, MemoryUrl(memory.Id), metadata));
    });

    /// <summary>A title is the memory's first line, shortened on a word boundary.</summary>
    internal static string Title(string text)
    {
        var firstLine = text.AsSpan().Trim();
        var newline = firstLine.IndexOfAny('\r', '\n');
        if (newline >= 0)
        {
            firstLine = firstLine[..newline];
        }

        if (firstLine.Length <= TitleLength)
        {
            return firstLine.ToString();
        }

        var cut = firstLine[..TitleLength];
        var space = cut.LastIndexOf(' ');
        return (space > TitleLength / 2 ? cut[..space] : cut).ToString().TrimEnd() + "…";
    }

    /// <summary>Where a person can see one memory (the page itself comes with the web UI), from the one URL builder.</summary>
    private string MemoryUrl(string id) =>
        urls.Absolute(http.HttpContext ?? throw new InvalidOperationException("Connector tools run only inside an HTTP request."), "/memories/" + Uri.EscapeDataString(id));
}
