using Microsoft.Extensions.Options;

namespace Mnemo.Auth;

/// <summary>Settings of the auth module, bound from <c>Mnemo:Auth</c>. Defaults are set in code.</summary>
public sealed class MnemoAuthOptions
{
    public const string SectionName = "Mnemo:Auth";

    /// <summary>How often an API key's <c>last_used_at</c> may be written (default one minute): a key used
    /// on every request costs one write per interval, not one per request.</summary>
    public TimeSpan ApiKeyLastUsedInterval { get; set; } = TimeSpan.FromMinutes(1);
}

internal sealed class MnemoAuthOptionsValidator : IValidateOptions<MnemoAuthOptions>
{
    public ValidateOptionsResult Validate(string? name, MnemoAuthOptions options)
    {
        List<string> failures = [];
        if (options.ApiKeyLastUsedInterval < TimeSpan.Zero || options.ApiKeyLastUsedInterval > TimeSpan.FromDays(1))
        {
            failures.Add($"Mnemo:Auth:ApiKeyLastUsedInterval is {options.ApiKeyLastUsedInterval}: use a duration between 00:00:00 and 1.00:00:00 (default 00:01:00).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
