using Microsoft.Extensions.Options;

namespace Mnemo.Memory;

/// <summary>Checks <see cref="MemoryOptions"/> at start-up; each message names the setting and how to fix it.</summary>
internal sealed class MemoryOptionsValidator : IValidateOptions<MemoryOptions>
{
    public ValidateOptionsResult Validate(string? name, MemoryOptions options)
    {
        const string s = MemoryOptions.SectionName;
        var failures = new List<string>();
        if (options.BusyTimeout < TimeSpan.Zero || options.BusyTimeout > TimeSpan.FromMinutes(5))
        {
            failures.Add($"{s}:BusyTimeout is {options.BusyTimeout}; set it between 00:00:00 and 00:05:00 (default 00:00:10).");
        }

        if (double.IsNaN(options.DeduplicationThreshold) || options.DeduplicationThreshold < 0)
        {
            failures.Add($"{s}:DeduplicationThreshold is {options.DeduplicationThreshold}; set it between 0 and 1 (default 0.97), or above 1 to turn de-duplication off.");
        }

        var embeddings = options.Embeddings;
        if (embeddings.Provider is not ("Local" or "OpenAI" or "None"))
        {
            failures.Add($"{s}:Embeddings:Provider is '{embeddings.Provider}'; use Local (default), OpenAI or None.");
        }

        if (embeddings.Provider == "OpenAI")
        {
            if (!Uri.TryCreate(embeddings.Endpoint, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https"))
            {
                failures.Add($"{s}:Embeddings:Endpoint must be the http(s) base URL of an OpenAI-compatible API (e.g. https://api.openai.com/v1) when Provider is OpenAI.");
            }

            if (string.IsNullOrWhiteSpace(embeddings.Model))
            {
                failures.Add($"{s}:Embeddings:Model must name the embedding model (e.g. text-embedding-3-small) when Provider is OpenAI.");
            }

            if (embeddings.Dimensions is <= 0)
            {
                failures.Add($"{s}:Embeddings:Dimensions must be positive, or left out.");
            }
        }

        var search = options.Search;
        CheckUnit(failures, $"{s}:Search:DenseWeight", search.DenseWeight, "0.3");
        CheckUnit(failures, $"{s}:Search:KeywordContextWeight", search.KeywordContextWeight, "0.5");
        CheckUnit(failures, $"{s}:Search:DenseContextWeight", search.DenseContextWeight, "0.3");
        if (search.CandidateCount is < 10 or > 1000)
        {
            failures.Add($"{s}:Search:CandidateCount is {search.CandidateCount}; set it between 10 and 1000 (default 100).");
        }

        if (search.NeighbourWindow is < 0 or > 10 || search.DenseNeighbourWindow is < 0 or > 10)
        {
            failures.Add($"{s}:Search:NeighbourWindow and DenseNeighbourWindow must be between 0 and 10 (defaults 2 and 0).");
        }

        if (search.WarmUpUsers is < 0 or > 100_000)
        {
            failures.Add($"{s}:Search:WarmUpUsers is {search.WarmUpUsers}; set it between 0 and 100000 (default 20).");
        }

        if (search.IndexIdleLifetime < TimeSpan.Zero)
        {
            failures.Add($"{s}:Search:IndexIdleLifetime is {search.IndexIdleLifetime}; set a duration such as 02:00:00, or 00:00:00 to keep indexes loaded.");
        }

        if (options.AccessLog.FlushMilliseconds is < 10 or > 5000)
        {
            failures.Add($"{s}:AccessLog:FlushMilliseconds is {options.AccessLog.FlushMilliseconds}; set it between 10 and 5000 (default 100).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckUnit(List<string> failures, string setting, double value, string defaultValue)
    {
        if (double.IsNaN(value) || value is < 0 or > 1)
        {
            failures.Add($"{setting} is {value}; set it between 0 and 1 (default {defaultValue}).");
        }
    }
}
