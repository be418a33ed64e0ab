using System.Reflection;

namespace Mnemo.Server;

internal static class MnemoVersion
{
    public static string Current { get; } =
        typeof(MnemoVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(MnemoVersion).Assembly.GetName().Version?.ToString() ?? "0.0.0";
}
