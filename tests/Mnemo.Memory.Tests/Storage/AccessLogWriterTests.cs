using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mnemo.Memory.Memories;
using Mnemo.Memory.Storage;

namespace Mnemo.Memory.Tests.Storage;

/// <summary>
/// Reads queue their access-log row and a writer commits them in batches (issue 14): no row of a read may be lost to
/// that, whether the rows are flushed, the provider disposed, the host stopped or the database failing for a while.
/// </summary>
public sealed class AccessLogWriterTests : IAsyncLifetime
{
    private const string Text = "alice sails on Sundays";
    private static readonly MemoryCaller Alice = new("alice", "claude");

    /// <summary>Longer than any test runs: a row seen in the table got there by a flush, not by the interval.</summary>
    private const int Long = 5000;

    private readonly List<ServiceProvider> _providers = [];
    private MemoryTestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await MemoryTestDatabase.CreateAsync();

    public async Task DisposeAsync()
    {
        foreach (var provider in _providers)
        {
            await provider.DisposeAsync();
        }

        await _db.DisposeAsync();
    }

    [Fact]
    public async Task Flush_WritesEveryReadQueuedBeforeIt_WithoutWaitingForTheInterval()
    {
        var provider = Open(Long);
        var service = provider.GetRequiredService<IMemoryService>();
        var id = (await service.AddAsync(Alice, [new(Text)]))[0].Id;
        for (var i = 0; i < 20; i++)
        {
            await service.GetAsync(Alice, id);
        }

        var clock = Stopwatch.StartNew();
        await provider.GetRequiredService<AccessLogWriter>().FlushAsync(CancellationToken.None);

        Assert.True(clock.ElapsedMilliseconds < Long, $"flush took {clock.ElapsedMilliseconds} ms");
        Assert.Equal(20, await CountAsync("get"));
        Assert.Equal(20, provider.GetRequiredService<AccessLogWriter>().Written);
    }

    [Fact]
    public async Task ConcurrentReads_AreAllWritten_InFewerCommitsThanRows()
    {
        var provider = Open(flushMilliseconds: 100);
        var service = provider.GetRequiredService<IMemoryService>();
        await service.AddAsync(Alice, [new(Text)]);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                await service.ListAsync(Alice, new ListRequest());
            }
        })));
        var writer = provider.GetRequiredService<AccessLogWriter>();
        await writer.FlushAsync(CancellationToken.None);

        Assert.Equal(400, await CountAsync("list"));
        Assert.Equal(400, writer.Written);
        Assert.True(writer.Batches < 400, $"{writer.Batches} commits for 400 rows");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task DisposingTheProvider_WritesTheQueuedRows(bool async)
    {
        var provider = Open(Long);
        var service = provider.GetRequiredService<IMemoryService>();
        await service.AddAsync(Alice, [new(Text)]);
        for (var i = 0; i < 10; i++)
        {
            await service.SearchAsync(Alice, new SearchRequest("sails"));
        }

        Assert.True(provider.GetRequiredService<AccessLogWriter>().Written < 10);
        if (async)
        {
            await provider.DisposeAsync();
        }
        else
        {
            provider.Dispose();
        }

        // Read through a new connection, as a process opening the database afterwards would.
        Assert.Equal(10, await CountAsync("search"));
    }

    [Fact]
    public async Task RowsQueuedWhileTheDatabaseFails_AreKept_AndWrittenOnce_WhenItWorksAgain()
    {
        var logs = new CapturingLoggerProvider();
        var provider = Open(flushMilliseconds: 10, logs);
        var service = provider.GetRequiredService<IMemoryService>();
        var writer = provider.GetRequiredService<AccessLogWriter>();
        await service.AddAsync(Alice, [new(Text)]);
        await _db.QueryAsync("ALTER TABLE memory_access_log RENAME TO memory_access_log_away");

        for (var i = 0; i < 5; i++)
        {
            await service.ListAsync(Alice, new ListRequest());
        }

        // The reads answered; their rows cannot be written, so a flush does not complete…
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(1)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => writer.FlushAsync(wait.Token));
        }

        Assert.Equal(0, writer.Written);
        Assert.Contains(logs.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains("access-log rows of reads failed", StringComparison.Ordinal));

        // …until the table is back: the same rows, each once.
        await _db.QueryAsync("ALTER TABLE memory_access_log_away RENAME TO memory_access_log");
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await writer.FlushAsync(wait.Token);
        }

        Assert.Equal(5, await CountAsync("list"));
        Assert.Equal(1, await CountAsync("add"));
        // Rows queued during the retries joined the failed batch: one commit once the table is back.
        Assert.Contains(logs.Lines, l => l.Level == LogLevel.Information && l.Message.StartsWith("Wrote 5 access-log rows of reads after", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, l => l.Message.Contains(Text, StringComparison.Ordinal) || (l.Exception?.Contains(Text, StringComparison.Ordinal) ?? false));
    }

    [Fact]
    public async Task StoppingTheHost_WritesTheRowsOfReadsBeforeItReturns()
    {
        var builder = new HostBuilder().ConfigureServices(services =>
        {
            services.AddSingleton<TimeProvider>(_db.Time);
            services.AddMnemoMemory(_db.Database, Configure(Long));
        });
        using var host = builder.Build();
        await host.StartAsync();
        var service = host.Services.GetRequiredService<IMemoryService>();
        await service.AddAsync(Alice, [new(Text)]);
        for (var i = 0; i < 3; i++)
        {
            await service.ListAsync(Alice, new ListRequest());
        }

        Assert.True(host.Services.GetRequiredService<AccessLogWriter>().Written < 3);
        await host.StopAsync();

        // Before the host (and its service provider) is disposed: the stop itself wrote them.
        Assert.Equal(3, await CountAsync("list"));
    }

    [Fact]
    public async Task ReadsAfterDisposal_AreRefused()
    {
        var provider = Open(Long);
        var service = provider.GetRequiredService<IMemoryService>();
        await provider.GetRequiredService<AccessLogWriter>().DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => service.ListAsync(Alice, new ListRequest()));
    }

    private ServiceProvider Open(int flushMilliseconds, ILoggerProvider? logs = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_db.Time);
        if (logs is not null)
        {
            services.AddLogging(logging => logging.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        }

        services.AddMnemoMemory(_db.Database, Configure(flushMilliseconds));
        var provider = services.BuildServiceProvider(validateScopes: true);
        _providers.Add(provider);
        return provider;
    }

    private static Action<MemoryOptions> Configure(int flushMilliseconds) => o =>
    {
        o.AccessLog.FlushMilliseconds = flushMilliseconds;
        o.Embeddings.Provider = "None";
        o.Search.WarmUpUsers = 0;
    };

    private async Task<long> CountAsync(string action) =>
        Convert.ToInt64((await _db.QueryAsync($"SELECT COUNT(*) FROM memory_access_log WHERE user_id = 'alice' AND action = '{action}'")).Single()[0], CultureInfo.InvariantCulture);

    private sealed record LogLine(LogLevel Level, string Message, string? Exception);

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        private readonly ConcurrentQueue<LogLine> _lines = new();

        public IReadOnlyList<LogLine> Lines => [.. _lines];

        public ILogger CreateLogger(string categoryName) => new Logger(_lines);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<LogLine> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue(new LogLine(logLevel, formatter(state, exception), exception?.ToString()));
        }
    }
}
