using Mnemo.Server.Tests.OAuth;

namespace Mnemo.Server.Tests.Scale;

/// <summary>
/// The scale tests start several processes each; they run one class at a time and never beside other test classes, so
/// the two shared cores are not split with unrelated suites while timings (the 2 s revocation bound) are measured.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ScaleCollection
{
    public const string Name = "Scale-out on PostgreSQL";
}

/// <summary>
/// Three instances in the default session mode (Hybrid) behind nginx, keyword search only (no model: the cores are
/// shared), with one user who has a password (for the OAuth sign-in) and an API key.
/// </summary>
public class ScaleClusterFixture : IAsyncLifetime
{
    public const string UserName = "alice";

    private ScaleCluster? _cluster;

    public ScaleCluster Cluster => _cluster ?? throw new InvalidOperationException("the cluster did not start");

    public string ApiKey { get; private set; } = "";

    /// <summary><c>Mnemo:Mcp:SessionMode</c> of the instances (null: the default).</summary>
    protected virtual string? SessionMode => null;

    public async Task InitializeAsync()
    {
        _cluster = await ScaleCluster.StartAsync(SessionMode);
        try
        {
            ApiKey = await CreateUserAsync(_cluster, UserName);
        }
        catch
        {
            // No process may outlive a fixture that failed half-way.
            await _cluster.DisposeAsync();
            _cluster = null;
            throw;
        }
    }

    /// <summary>Creates a user with <see cref="OAuthTestServer.Password"/> and returns a new API key of theirs.</summary>
    public static async Task<string> CreateUserAsync(ScaleCluster cluster, string userName)
    {
        await cluster.CliAsync(OAuthTestServer.Password + "\n", "users", "add", userName, "--password-stdin");
        return (await cluster.CliAsync(null, "keys", "create", userName, "--label", "scale-tests")).Trim();
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}

/// <summary>The same, with <c>Mnemo:Mcp:SessionMode=Stateless</c>.</summary>
public sealed class StatelessScaleClusterFixture : ScaleClusterFixture
{
    protected override string? SessionMode => "Stateless";
}
