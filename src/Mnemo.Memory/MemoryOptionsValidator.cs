using Microsoft.Extensions.Options;

namespace Mnemo.Memory;

/// <summary>Checks <see cref="MemoryOptions"/> at start-up; each message names the setting and how to fix it.</summary>
internal sealed class MemoryOptionsValidator : IValidateOptions<MemoryOptions>
{
    public ValidateOptionsResult Validate(string? name, MemoryOptions options)
    {
        var failures = new List<string>();
        if (options.BusyTimeout < TimeSpan.Zero || options.BusyTimeout > TimeSpan.FromMinutes(5))
        {
            failures.Add($"{MemoryOptions.SectionName}:BusyTimeout is {options.BusyTimeout}; set it between 00:00:00 and 00:05:00 (default 00:00:10).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
