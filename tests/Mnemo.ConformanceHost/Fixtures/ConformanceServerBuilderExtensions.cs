using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Mnemo.ConformanceHost.Fixtures;

/// <summary>
/// Registers the fixtures of the MCP conformance suite (@modelcontextprotocol/conformance 0.1.16, server mode).
/// Call it only in conformance mode (the conformance host (<c>tests/Mnemo.ConformanceHost</c>)): besides additive tools, resources and
/// prompts it installs server-wide completion, logging-level and resource-subscription handlers.
/// </summary>
public static class ConformanceServerBuilderExtensions
{
    internal const string JsonSchemaToolName = "json_schema_2020_12_tool";

    internal const string JsonSchemaToolInputSchema = """
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "type": "object",
          "$defs": {
            "address": {
              "type": "object",
              "properties": {
                "street": { "type": "string" },
                "city": { "type": "string" }
              }
            }
          },
          "properties": {
            "name": { "type": "string" },
            "address": { "$ref": "#/$defs/address" }
          },
          "additionalProperties": false
        }
        """;

    private static readonly string[] CompletionWords =
        ["paris", "park", "party", "test", "testValue1", "testValue2", "hello", "world"];

    public static IMcpServerBuilder AddConformanceFixtures(this IMcpServerBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        builder.Services.AddSingleton<ConformanceSubscriptions>();

        builder
            .WithTools<ConformanceTools>()
            .WithTools([CreateJsonSchemaTool()])
            .WithResources<ConformanceResources>()
            .WithPrompts<ConformancePrompts>()
            .WithCompleteHandler(static (context, _) => ValueTask.FromResult(Complete(context.Params)))
            .WithSubscribeToResourcesHandler(static (context, _) =>
            {
                Subscriptions(context).Subscribe(SessionKey(context.Server), RequireUri(context.Params?.Uri));
                return ValueTask.FromResult(new EmptyResult());
            })
            .WithUnsubscribeFromResourcesHandler(static (context, _) =>
            {
                Subscriptions(context).Unsubscribe(SessionKey(context.Server), RequireUri(context.Params?.Uri));
                return ValueTask.FromResult(new EmptyResult());
            });

        // Logging is deprecated by spec 2026-07-28 (MCP9005) but the suite still tests logging/setLevel and
        // tool log notifications. The SDK records the level on McpServer.LoggingLevel before this handler runs.
#pragma warning disable MCP9005
        builder.WithSetLoggingLevelHandler(static (_, _) => ValueTask.FromResult(new EmptyResult()));
#pragma warning restore MCP9005

        return builder;
    }

    private static McpServerTool CreateJsonSchemaTool()
    {
        var tool = McpServerTool.Create(
            static () => "JSON Schema 2020-12 tool executed successfully",
            new McpServerToolCreateOptions
            {
                Name = JsonSchemaToolName,
                Description = "Tool with JSON Schema 2020-12 features",
                ReadOnly = true,
            });

        // The generated schema would drop $schema, $defs and additionalProperties (SEP-1613): set it verbatim.
        tool.ProtocolTool.InputSchema = JsonElement.Parse(JsonSchemaToolInputSchema);
        return tool;
    }

    private static CompleteResult Complete(CompleteRequestParams? request)
    {
        var prefix = request?.Argument.Value ?? string.Empty;
        string[] candidates = request?.Ref switch
        {
            PromptReference { Name: "test_prompt_with_arguments" } => CompletionWords,
            ResourceTemplateReference { Uri: "test://template/{id}/data" } => ["1", "2", "3", "123"],
            _ => [],
        };

        var values = candidates.Where(v => v.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)).ToList();
        return new CompleteResult
        {
            Completion = new Completion { Values = values, Total = values.Count, HasMore = false },
        };
    }

    private static ConformanceSubscriptions Subscriptions<T>(RequestContext<T> context) =>
        (context.Services ?? throw new InvalidOperationException("No request services."))
            .GetRequiredService<ConformanceSubscriptions>();

    private static string SessionKey(McpServer server) => server.SessionId ?? string.Empty;

    private static string RequireUri(string? uri) =>
        string.IsNullOrEmpty(uri)
            ? throw new McpProtocolException("Missing required parameter 'uri'.", McpErrorCode.InvalidParams)
            : uri;
}

/// <summary>Resource subscriptions per MCP session (conformance mode only).</summary>
internal sealed class ConformanceSubscriptions
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> _bySession = new();

    public void Subscribe(string sessionId, string uri) =>
        _bySession.GetOrAdd(sessionId, static _ => new(StringComparer.Ordinal)).TryAdd(uri, 0);

    public void Unsubscribe(string sessionId, string uri)
    {
        if (_bySession.TryGetValue(sessionId, out var uris))
        {
            uris.TryRemove(uri, out _);
            if (uris.IsEmpty)
            {
                _bySession.TryRemove(sessionId, out _);
            }
        }
    }

    public bool IsSubscribed(string sessionId, string uri) =>
        _bySession.TryGetValue(sessionId, out var uris) && uris.ContainsKey(uri);
}
