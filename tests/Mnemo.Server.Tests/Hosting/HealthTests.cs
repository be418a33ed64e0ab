using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mnemo.Server.Tests.Infrastructure;

namespace Mnemo.Server.Tests.Hosting;

public sealed class HealthTests
{
    [Fact]
    public async Task Health_Ready_And_Status_AnswerJsonWithoutAuth()
    {
        await using var server = await MnemoTestServer.StartAsync();
        using var http = server.CreateHttpClient();

        var live = await http.GetFromJsonAsync<JsonElement>("/health");
        using var ready = await http.GetAsync("/health/ready");
        var status = await http.GetFromJsonAsync<JsonElement>("/status");

        Assert.Equal("ok", live.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("ready", status.GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(status.GetProperty("version").GetString()));
        var components = status.GetProperty("components");
        Assert.Equal("ok", components.GetProperty("accounts").GetProperty("status").GetString());
        Assert.Equal("ok", components.GetProperty("memories").GetProperty("status").GetString());
        Assert.All(components.EnumerateObject(), c => Assert.True(c.Value.TryGetProperty("detail", out _)));
    }

    [Fact]
    public async Task Health_AnswersAnyHost_ForOrchestratorProbes()
    {
        await using var server = await MnemoTestServer.StartAsync();
        using var http = server.CreateHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health");
        request.Headers.Host = "10.1.2.3:8080";

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
