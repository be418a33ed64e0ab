using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Mnemo.Server.Tests.Scale;

/// <summary>
/// Memories written while no embedding model ran are given vectors once, by one of three instances started together
/// on the database, and then every instance finds them by meaning.
/// </summary>
[Collection(ScaleCollection.Name)]
[Trait("Provider", "Postgres")]
public sealed partial class BackfillScaleTests(ITestOutputHelper output)
{
    // Enough memories that the back-fill takes a few seconds, so the other instances' first rounds (right after their
    // model loads) usually fall inside it and find the lock taken, rather than after it with nothing left to do.
    private const int Filler = 996;

    // Each question shares no word with any memory below: keyword search cannot find its answer, only the vectors can.
    private static readonly (string Memory, string Question)[] Facts =
    [
        ("Her daughter practises the cello every evening.", "Which musical instrument does my child learn?"),
        ("He is allergic to peanuts and shellfish.", "Which foods make him sick?"),
        ("She drives an old red Volvo.", "What car do we own?"),
        ("His favourite sport is rock climbing.", "Which outdoor hobby excites him most?"),
    ];

    [Fact]
    public async Task EmbeddingBackfill_OfMemoriesWrittenWithoutAModel_RunsOnOneInstance_AndAllThreeThenFindThemByMeaning()
    {
        await using var cluster = await ScaleCluster.StartAsync(embeddings: "Local", start: false);
        try
        {
            var memories = Facts.Select(f => f.Memory).Concat(Enumerable.Range(0, Filler).Select(i => $"Invoice {1000 + i} totals {17 * i + 3} euros.")).ToList();
            foreach (var (_, question) in Facts)
            {
                var shared = Words(question).Intersect(memories.SelectMany(Words)).ToList();
                Assert.True(shared.Count == 0, $"\"{question}\" shares {string.Join(", ", shared)} with the memories: keyword search could answer it");
            }

            // Written through one instance without a model: stored without vectors, found by keyword only.
            cluster.Instances[0].Start(new Dictionary<string, string> { ["Mnemo__Memory__Embeddings__Provider"] = "None" });
            await cluster.Instances[0].WaitHealthyAsync(ScaleCluster.StartTimeout);
            var apiKey = await ScaleClusterFixture.CreateUserAsync(cluster, "alice");
            using (var direct = cluster.Direct(cluster.Instances[0]))
            {
                var session = await RawMcpSession.StartAsync(direct, apiKey);
                foreach (var batch in memories.Chunk(50))
                {
                    await session.AddAsync(batch);
                }

                Assert.Empty(await session.SearchAsync(Facts[0].Question));
            }

            await cluster.StopAllAsync();

            // All three start together with the model; each loads it and then tries the back-fill.
            await cluster.StartAllAsync();
            await Task.WhenAll(cluster.Instances.Select(i => WaitForModelAsync(cluster, i, TimeSpan.FromMinutes(4))));
            for (var deadline = DateTime.UtcNow.AddMinutes(2); !cluster.Instances.Any(i => IndexedPattern().IsMatch(i.CurrentRunOutput)); await Task.Delay(200))
            {
                Assert.True(DateTime.UtcNow < deadline, "no instance back-filled the vectors within 2 minutes");
            }

            // Every instance's first round starts right after its model is ready (all are ready now); give the others'
            // rounds time to finish, then count who computed vectors.
            await Task.Delay(TimeSpan.FromSeconds(3));
            var indexed = cluster.Instances
                .Select(i => (i.Index, Counts: IndexedPattern().Matches(i.CurrentRunOutput).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList()))
                .ToList();
            var skipped = cluster.Instances.Count(i => i.CurrentRunOutput.Contains("Another instance is back-filling vectors", StringComparison.Ordinal));
            var report = string.Join("; ", indexed.Select(i => $"instance {i.Index}: indexed [{string.Join(", ", i.Counts)}]")) + $"; {skipped} skipped a round";
            output.WriteLine(report);
            var computing = indexed.Where(i => i.Counts.Count > 0).ToList();
            Assert.True(computing.Count == 1, $"exactly one instance should back-fill: {report}");
            Assert.Equal(new[] { memories.Count }, computing[0].Counts);

            // Every instance, asked straight at its own port, ranks the right memory first for a question that shares
            // no word with it.
            foreach (var instance in cluster.Instances)
            {
                using var direct = cluster.Direct(instance);
                var session = await RawMcpSession.StartAsync(direct, apiKey);
                foreach (var (memory, question) in Facts)
                {
                    var found = await session.SearchAsync(question, limit: 3);
                    Assert.True(found.Count > 0 && found[0] == memory,
                        $"instance {instance.Index} answered \"{question}\" with [{string.Join(" | ", found)}], expected \"{memory}\" first");
                }
            }
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException($"{e.Message}\n{cluster.Logs}", e);
        }
    }

    private static async Task WaitForModelAsync(ScaleCluster cluster, MnemoInstance instance, TimeSpan timeout)
    {
        using var http = cluster.Direct(instance);
        var status = "";
        for (var deadline = DateTime.UtcNow + timeout; DateTime.UtcNow < deadline; await Task.Delay(250))
        {
            var body = await http.GetFromJsonAsync<JsonElement>("/status");
            status = body.ToString();
            if (body.GetProperty("components").TryGetProperty("search", out var search)
                && search.GetProperty("detail").GetString()?.StartsWith("keyword + semantic", StringComparison.Ordinal) == true)
            {
                return;
            }
        }

        throw new TimeoutException($"instance {instance.Index} did not load the embedding model within {timeout}: {status}");
    }

    private static IEnumerable<string> Words(string text) => WordPattern().Matches(text.ToLowerInvariant()).Select(m => m.Value);

    [GeneratedRegex(@"Indexed (\d+) memories under")]
    private static partial Regex IndexedPattern();

    [GeneratedRegex(@"[a-z]+")]
    private static partial Regex WordPattern();
}
