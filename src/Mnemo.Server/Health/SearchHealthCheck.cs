using Microsoft.Extensions.Diagnostics.HealthChecks;
using Mnemo.Memory.Search;

namespace Mnemo.Server.Health;

/// <summary>
/// The search component on <c>/status</c>. Only a model that failed to load is Degraded (keyword search still
/// answers, so <c>/health/ready</c> stays 200); loading at start-up and "turned off by configuration" are normal
/// states, reported as healthy with the detail.
/// </summary>
internal sealed class SearchHealthCheck(IMemorySearchStatus search) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(search.State switch
        {
            "ok" => HealthCheckResult.Healthy($"keyword + semantic ({search.Semantic.Model})" + (search.Reason is { } note ? $"; {note}" : "")),
            "degraded" => HealthCheckResult.Degraded(search.Reason),
            _ => HealthCheckResult.Healthy(search.Reason),
        });
}
