using System.ComponentModel;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Mnemo.ConformanceHost.Fixtures;

/// <summary>Resources and resource templates the MCP conformance suite reads.</summary>
[McpServerResourceType]
public sealed class ConformanceResources
{
    internal const string StaticText = "This is the content of the static text resource.";
    internal const string WatchedUri = "test://watched-resource";

    [McpServerResource(UriTemplate = "test://static-text", Name = "static-text", MimeType = "text/plain")]
    [Description("A static text resource for conformance testing.")]
    public static TextResourceContents StaticTextResource() => new()
    {
        Uri = "test://static-text",
        MimeType = "text/plain",
        Text = StaticText,
    };

    [McpServerResource(UriTemplate = "test://static-binary", Name = "static-binary", MimeType = "image/png")]
    [Description("A static binary resource (1x1 PNG) for conformance testing.")]
    public static BlobResourceContents StaticBinaryResource() =>
        BlobResourceContents.FromBytes(ConformanceData.PngBytes, "test://static-binary", "image/png");

    [McpServerResource(UriTemplate = WatchedUri, Name = "watched-resource", MimeType = "text/plain")]
    [Description("A resource clients can subscribe to for update notifications.")]
    public static TextResourceContents WatchedResource() => new()
    {
        Uri = WatchedUri,
        MimeType = "text/plain",
        Text = "Watched resource content.",
    };

    [McpServerResource(UriTemplate = "test://template/{id}/data", Name = "template-data", MimeType = "application/json")]
    [Description("A resource template whose {id} parameter is substituted into the content.")]
    public static TextResourceContents TemplateData([Description("The data item id")] string id) => new()
    {
        Uri = $"test://template/{Uri.EscapeDataString(id)}/data",
        MimeType = "application/json",
        Text = new JsonObject { ["id"] = id, ["templateTest"] = true, ["data"] = $"Data for ID: {id}" }.ToJsonString(),
    };
}
