using Mnemo.Server.Tests.Infrastructure;

namespace Mnemo.Server.Tests.Cli;

/// <summary>
/// Local mode trusts the machine, not the network: without Mnemo:PublicUrl, <c>serve</c> refuses an address other
/// machines can reach, however it was named, with a message that names the setting.
/// </summary>
public sealed class LocalModeBindingTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("mnemo-bind-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Theory]
    [InlineData("--urls", "http://0.0.0.0:0")]
    [InlineData("--urls", "http://[::]:0")]
    [InlineData("--urls", "http://127.0.0.1:0", "--Kestrel:Endpoints:Lan:Url=http://0.0.0.0:0")]
    public async Task Serve_OnANonLoopbackAddressWithoutPublicUrl_RefusesToStart(params string[] args)
    {
        var result = await MnemoProcess.RunAsync(null, ["serve", .. args, "--data-dir", _dataDir]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Mnemo:PublicUrl", result.StdErr);
    }

    [Theory]
    [InlineData("http://0.0.0.0:5080", "https://mnemo.example.com", false, true)]
    [InlineData("http://[::]:5080", null, false, false)]
    [InlineData("http://localhost:5080", null, false, true)]
    [InlineData("http://127.0.0.1:5080", null, false, true)]
    [InlineData("http://[::1]:5080", null, false, true)]
    [InlineData("http://0.0.0.0:5080", "https://mnemo.example.com", true, false)]
    [InlineData("http://127.0.0.1:5080", null, true, true)]
    public void Binding_FitsTheMode(string bound, string? publicUrl, bool conformance, bool allowed) =>
        Assert.Equal(allowed, Mnemo.Server.Hosting.LocalModeBinding.Problem([bound], publicUrl is null ? null : new Uri(publicUrl), conformance) is null);
}
