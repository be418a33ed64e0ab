// The conformance suite (spec 2025-06-18/2025-11-25) still exercises logging, sampling and the legacy
// enumNames elicitation schema, which SDK 2.4.0 marks obsolete (MCP9005: deprecated by spec 2026-07-28;
// MCP9001: LegacyTitledEnumSchema). These fixtures exist to test exactly those features, so the warnings
// are suppressed deliberately here and nowhere else.
#pragma warning disable MCP9005, MCP9001
using System.ComponentModel;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Mnemo.ConformanceHost.Fixtures;

/// <summary>
/// Tools the MCP conformance suite (@modelcontextprotocol/conformance 0.1.16, server mode) calls by name.
/// Registered only by <see cref="ConformanceServerBuilderExtensions.AddConformanceFixtures"/>, which is only
/// called by the conformance host (<c>tests/Mnemo.ConformanceHost</c>).
/// </summary>
[McpServerToolType]
public sealed class ConformanceTools
{
    internal const string SimpleText = "This is a simple text response for testing.";
    internal const string ErrorText = "This tool intentionally returns an error for testing";
    internal const string LoggerName = "conformance";

    [McpServerTool(Name = "test_simple_text", ReadOnly = true)]
    [Description("Returns a simple text content block.")]
    public static string TestSimpleText() => SimpleText;

    [McpServerTool(Name = "test_image_content", ReadOnly = true)]
    [Description("Returns an image content block (1x1 PNG).")]
    public static ImageContentBlock TestImageContent() =>
        ImageContentBlock.FromBytes(ConformanceData.PngBytes, "image/png");

    [McpServerTool(Name = "test_audio_content", ReadOnly = true)]
    [Description("Returns an audio content block (minimal WAV).")]
    public static AudioContentBlock TestAudioContent() =>
        AudioContentBlock.FromBytes(ConformanceData.WavBytes, "audio/wav");

    [McpServerTool(Name = "test_embedded_resource", ReadOnly = true)]
    [Description("Returns an embedded text resource.")]
    public static EmbeddedResourceBlock TestEmbeddedResource() => new()
    {
        Resource = new TextResourceContents
        {
            Uri = "test://embedded-resource",
            MimeType = "text/plain",
            Text = "This is an embedded resource content.",
        },
    };

    [McpServerTool(Name = "test_multiple_content_types", ReadOnly = true)]
    [Description("Returns text, image and embedded resource content blocks.")]
    public static IEnumerable<ContentBlock> TestMultipleContentTypes() =>
    [
        new TextContentBlock { Text = "Multiple content types test:" },
        ImageContentBlock.FromBytes(ConformanceData.PngBytes, "image/png"),
        new EmbeddedResourceBlock
        {
            Resource = new TextResourceContents
            {
                Uri = "test://mixed-content-resource",
                MimeType = "application/json",
                Text = """{"test":"data","value":123}""",
            },
        },
    ];

    [McpServerTool(Name = "test_tool_with_logging", ReadOnly = true)]
    [Description("Sends three info log notifications while it runs.")]
    public static async Task<string> TestToolWithLogging(McpServer server, CancellationToken cancellationToken)
    {
        await LogAsync(server, "Tool execution started", cancellationToken);
        await Task.Delay(50, cancellationToken);
        await LogAsync(server, "Tool processing data", cancellationToken);
        await Task.Delay(50, cancellationToken);
        await LogAsync(server, "Tool execution completed", cancellationToken);
        return "Tool with logging executed successfully";
    }

    [McpServerTool(Name = "test_error_handling", ReadOnly = true)]
    [Description("Always returns a tool error result.")]
    public static CallToolResult TestErrorHandling() => new()
    {
        IsError = true,
        Content = [new TextContentBlock { Text = ErrorText }],
    };

    [McpServerTool(Name = "test_tool_with_progress", ReadOnly = true)]
    [Description("Reports progress 0/100, 50/100 and 100/100 when given a progress token.")]
    public static async Task<string> TestToolWithProgress(
        McpServer server, RequestContext<CallToolRequestParams> context, CancellationToken cancellationToken)
    {
        var token = context.Params?.ProgressToken;
        for (var step = 0; step <= 100; step += 50)
        {
            if (step > 0)
            {
                await Task.Delay(50, cancellationToken);
            }

            if (token is { } t)
            {
                await server.NotifyProgressAsync(
                    t, new ProgressNotificationValue { Progress = step, Total = 100 }, cancellationToken: cancellationToken);
            }
        }

        return "Progress tool completed";
    }

    [McpServerTool(Name = "test_sampling")]
    [Description("Asks the client to sample an LLM completion for the prompt.")]
    public static async Task<CallToolResult> TestSampling(
        McpServer server,
        [Description("The prompt to send to the LLM")] string prompt,
        CancellationToken cancellationToken)
    {
        if (server.ClientCapabilities?.Sampling is null)
        {
            return Error("The client does not support sampling.");
        }

        var result = await server.SampleAsync(new CreateMessageRequestParams
        {
            Messages = [new SamplingMessage { Role = Role.User, Content = [new TextContentBlock { Text = prompt }] }],
            MaxTokens = 100,
        }, cancellationToken);

        var text = string.Concat(result.Content.OfType<TextContentBlock>().Select(b => b.Text));
        return Text($"LLM response: {text}");
    }

    [McpServerTool(Name = "test_elicitation")]
    [Description("Asks the user (through the client) for a username and an email address.")]
    public static async Task<CallToolResult> TestElicitation(
        McpServer server,
        [Description("The message to show the user")] string message,
        CancellationToken cancellationToken)
    {
        if (server.ClientCapabilities?.Elicitation is null)
        {
            return Error("The client does not support elicitation.");
        }

        var result = await server.ElicitAsync(new ElicitRequestParams
        {
            Message = message,
            RequestedSchema = new ElicitRequestParams.RequestSchema
            {
                Properties =
                {
                    ["username"] = new ElicitRequestParams.StringSchema { Description = "User's response" },
                    ["email"] = new ElicitRequestParams.StringSchema { Description = "User's email address" },
                },
                Required = ["username", "email"],
            },
        }, cancellationToken);

        return Text($"User response: {Describe(result)}");
    }

    [McpServerTool(Name = "test_elicitation_sep1034_defaults")]
    [Description("Elicitation whose schema has default values for every primitive type (SEP-1034).")]
    public static async Task<CallToolResult> TestElicitationSep1034Defaults(McpServer server, CancellationToken cancellationToken)
    {
        if (server.ClientCapabilities?.Elicitation is null)
        {
            return Error("The client does not support elicitation.");
        }

        var result = await server.ElicitAsync(new ElicitRequestParams
        {
            Message = "Please review and update the form fields with defaults",
            RequestedSchema = new ElicitRequestParams.RequestSchema
            {
                Properties =
                {
                    ["name"] = new ElicitRequestParams.StringSchema { Description = "User name", Default = "John Doe" },
                    ["age"] = new ElicitRequestParams.NumberSchema { Type = "integer", Description = "User age", Default = 30 },
                    ["score"] = new ElicitRequestParams.NumberSchema { Type = "number", Description = "User score", Default = 95.5 },
                    ["status"] = new ElicitRequestParams.UntitledSingleSelectEnumSchema
                    {
                        Description = "User status",
                        Enum = ["active", "inactive", "pending"],
                        Default = "active",
                    },
                    ["verified"] = new ElicitRequestParams.BooleanSchema { Description = "Verification status", Default = true },
                },
            },
        }, cancellationToken);

        return Text($"Elicitation completed: {Describe(result)}");
    }

    [McpServerTool(Name = "test_elicitation_sep1330_enums")]
    [Description("Elicitation whose schema uses all five enum variants (SEP-1330).")]
    public static async Task<CallToolResult> TestElicitationSep1330Enums(McpServer server, CancellationToken cancellationToken)
    {
        if (server.ClientCapabilities?.Elicitation is null)
        {
            return Error("The client does not support elicitation.");
        }

        var result = await server.ElicitAsync(new ElicitRequestParams
        {
            Message = "Please select options from the enum fields",
            RequestedSchema = new ElicitRequestParams.RequestSchema
            {
                Properties =
                {
                    ["untitledSingle"] = new ElicitRequestParams.UntitledSingleSelectEnumSchema
                    {
                        Description = "Select one option",
                        Enum = ["option1", "option2", "option3"],
                    },
                    ["titledSingle"] = new ElicitRequestParams.TitledSingleSelectEnumSchema
                    {
                        Description = "Select one option with titles",
                        OneOf =
                        [
                            new() { Const = "value1", Title = "First Option" },
                            new() { Const = "value2", Title = "Second Option" },
                            new() { Const = "value3", Title = "Third Option" },
                        ],
                    },
                    ["legacyEnum"] = new ElicitRequestParams.LegacyTitledEnumSchema
                    {
                        Description = "Select one option (legacy)",
                        Enum = ["opt1", "opt2", "opt3"],
                        EnumNames = ["Option One", "Option Two", "Option Three"],
                    },
                    ["untitledMulti"] = new ElicitRequestParams.UntitledMultiSelectEnumSchema
                    {
                        Description = "Select multiple options",
                        Items = new ElicitRequestParams.UntitledEnumItemsSchema { Enum = ["option1", "option2", "option3"] },
                    },
                    ["titledMulti"] = new ElicitRequestParams.TitledMultiSelectEnumSchema
                    {
                        Description = "Select multiple options with titles",
                        Items = new ElicitRequestParams.TitledEnumItemsSchema
                        {
                            AnyOf =
                            [
                                new() { Const = "value1", Title = "First Choice" },
                                new() { Const = "value2", Title = "Second Choice" },
                                new() { Const = "value3", Title = "Third Choice" },
                            ],
                        },
                    },
                },
            },
        }, cancellationToken);

        return Text($"Elicitation completed: {Describe(result)}");
    }

    [McpServerTool(Name = "test_reconnection", ReadOnly = true)]
    [Description("Closes the POST SSE stream mid-call so the client reconnects and polls for the result (SEP-1699).")]
    public static async Task<string> TestReconnection(
        RequestContext<CallToolRequestParams> context, CancellationToken cancellationToken)
    {
        try
        {
            // Needs stateful HTTP with an SSE event stream store; otherwise the result stays on the open stream.
            await context.EnablePollingAsync(TimeSpan.FromMilliseconds(500), cancellationToken);
        }
        catch (InvalidOperationException)
        {
            // Transport without polling support (stateless, or no event store): answer on the same stream.
        }

        await Task.Delay(100, cancellationToken);
        return "Reconnection test completed successfully";
    }

    private static CallToolResult Text(string text) => new() { Content = [new TextContentBlock { Text = text }] };

    private static CallToolResult Error(string text) => new() { IsError = true, Content = [new TextContentBlock { Text = text }] };

    private static string Describe(ElicitResult result) =>
        result.Content is null
            ? $"action={result.Action}"
            : $"action={result.Action}, content={JsonSerializer.Serialize(result.Content, McpJsonUtilities.DefaultOptions)}";

    private static async Task LogAsync(McpServer server, string message, CancellationToken cancellationToken)
    {
        // Honour logging/setLevel: send only when info is at or above the level the client asked for.
        if (server.LoggingLevel is { } level && level > LoggingLevel.Info)
        {
            return;
        }

        await server.SendNotificationAsync(
            NotificationMethods.LoggingMessageNotification,
            new LoggingMessageNotificationParams
            {
                Level = LoggingLevel.Info,
                Logger = LoggerName,
                Data = JsonSerializer.SerializeToElement(message, McpJsonUtilities.DefaultOptions),
            },
            cancellationToken: cancellationToken);
    }
}
