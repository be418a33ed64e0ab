using System.Globalization;

namespace Mnemo.Bench.EchoCSharp;

/// <summary>The command line: every value comes from the bench, which mints the tokens with the same key.</summary>
internal sealed record EchoSettings(int Port, byte[] SigningKey, string Issuer, string Audience)
{
    public static EchoSettings Parse(string[] args) => new(
        int.Parse(Required(args, "--port"), CultureInfo.InvariantCulture),
        Convert.FromBase64String(Required(args, "--signing-key")),
        Required(args, "--issuer"),
        Required(args, "--audience"));

    private static string Required(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length
            ? args[index + 1]
            : throw new ArgumentException($"usage: Mnemo.Bench.EchoCSharp --port N --signing-key BASE64 --issuer ISS --audience AUD ({name} is missing)");
    }
}
