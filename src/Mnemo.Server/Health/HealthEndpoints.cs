using System.Text.Json.Serialization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Mnemo.Server.Health;

/// <summary>
/// <c>/health</c> (liveness), <c>/health/ready</c> (can serve: databases and migrations) and <c>/status</c>
/// (every component, honestly). JSON, no authentication: they reveal no user data.
/// </summary>
public static class HealthEndpoints
{
    public static RouteGroupBuilder MapMnemoHealth(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("").AllowAnonymous();

        group.MapGet("/health", () => Results.Json(new LivenessDto("ok")));

        group.MapGet("/health/ready", async (HealthCheckService health, CancellationToken ct) =>
        {
            var report = await health.CheckHealthAsync(ct);
            // Degraded (e.g. semantic search off) still serves requests: only a down component makes us unready.
            var status = ToStatus(report.Status);
            return Results.Json(new LivenessDto(status), statusCode: report.Status == HealthStatus.Unhealthy ? 503 : 200);
        });

        group.MapGet("/status", async (HealthCheckService health, CancellationToken ct) =>
        {
            var report = await health.CheckHealthAsync(ct);
            var components = report.Entries.ToDictionary(
                e => e.Key,
                e => new ComponentDto(ToComponent(e.Value.Status), e.Value.Description));
            return Results.Json(new StatusDto(ToStatus(report.Status), MnemoVersion.Current, components),
                statusCode: report.Status == HealthStatus.Unhealthy ? 503 : 200);
        });

        return group;
    }

    private static string ToStatus(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "ready",
        HealthStatus.Degraded => "degraded",
        _ => "down",
    };

    private static string ToComponent(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "ok",
        HealthStatus.Degraded => "degraded",
        _ => "down",
    };

    public sealed record LivenessDto([property: JsonPropertyName("status")] string Status);

    public sealed record ComponentDto(
        [property: JsonPropertyName("status")] string Status,
        [property: JsonPropertyName("detail")] string? Detail);

    public sealed record StatusDto(
        [property: JsonPropertyName("status")] string Status,
        [property: JsonPropertyName("version")] string Version,
        [property: JsonPropertyName("components")] IReadOnlyDictionary<string, ComponentDto> Components);
}
