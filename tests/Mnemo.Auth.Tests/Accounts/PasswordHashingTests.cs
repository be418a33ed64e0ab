using System.Diagnostics;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Mnemo.Auth.Storage;

namespace Mnemo.Auth.Tests.Accounts;

/// <summary>PBKDF2-HMAC-SHA512 at 210,000 iterations, old hashes upgraded at sign-in, unknown names as slow as known ones.</summary>
public sealed class PasswordHashingTests
{
    private const string Password = "correct horse battery";

    [Fact]
    public async Task NewPassword_IsHashedWithPbkdf2Sha512At210kIterations()
    {
        await using var db = await AuthTestDatabase.CreateAsync();
        await db.AccountsAsync(a => a.CreateAsync("alice", null, Password));

        var hash = await db.DbAsync(d => d.Users.Select(u => u.PasswordHash).SingleAsync());

        Assert.Equal(2, PasswordHashFormat.Prf(hash)); // KeyDerivationPrf.HMACSHA512
        Assert.Equal(210_000, PasswordHashFormat.Iterations(hash));
    }

    [Fact]
    public async Task SignIn_WithAHashMadeAt100kIterations_UpgradesTheHashTo210k()
    {
        await using var db = await AuthTestDatabase.CreateAsync();
        await db.AccountsAsync(a => a.CreateAsync("alice", null, Password));
        var old = new PasswordHasher<UserRecord>(Options.Create(new PasswordHasherOptions { IterationCount = 100_000 })).HashPassword(null!, Password);
        await db.DbAsync(d => d.Users.ExecuteUpdateAsync(s => s.SetProperty(u => u.PasswordHash, old)));

        Assert.NotNull(await db.AccountsAsync(a => a.VerifyPasswordAsync("alice", Password)));

        var upgraded = await db.DbAsync(d => d.Users.Select(u => u.PasswordHash).SingleAsync());
        Assert.Equal(210_000, PasswordHashFormat.Iterations(upgraded));
        Assert.NotNull(await db.AccountsAsync(a => a.VerifyPasswordAsync("alice", Password)));
    }

    [Fact]
    public async Task SignIn_WithAWrongPassword_LeavesAnOldHashAsItWas()
    {
        await using var db = await AuthTestDatabase.CreateAsync();
        await db.AccountsAsync(a => a.CreateAsync("alice", null, Password));
        var old = new PasswordHasher<UserRecord>(Options.Create(new PasswordHasherOptions { IterationCount = 100_000 })).HashPassword(null!, Password);
        await db.DbAsync(d => d.Users.ExecuteUpdateAsync(s => s.SetProperty(u => u.PasswordHash, old)));

        Assert.Null(await db.AccountsAsync(a => a.VerifyPasswordAsync("alice", "not the password")));

        Assert.Equal(old, await db.DbAsync(d => d.Users.Select(u => u.PasswordHash).SingleAsync()));
    }

    [Fact]
    public async Task SignIn_WithAnUnknownName_ChecksTheGuessAgainstADummyHashOfTheConfiguredCost()
    {
        RecordingPasswordHasher? hasher = null;
        await using var db = await AuthTestDatabase.CreateAsync(services =>
            services.AddSingleton<IPasswordHasher<UserRecord>>(sp => hasher = new RecordingPasswordHasher(sp.GetRequiredService<IOptions<PasswordHasherOptions>>())));

        Assert.Null(await db.AccountsAsync(a => a.VerifyPasswordAsync("nobody", Password)));

        var dummy = Assert.Single(hasher!.Verified);
        Assert.Equal(2, PasswordHashFormat.Prf(dummy));
        Assert.Equal(210_000, PasswordHashFormat.Iterations(dummy));
    }

    /// <summary>
    /// A timing comparison as well as the format check above: whatever the dummy is made of, an unknown
    /// name must cost what a wrong password costs. A dummy at Identity's default 100,000 iterations gives a
    /// ratio near 0.48, far outside the band; the band is wide so a busy machine does not make it flaky.
    /// </summary>
    [Fact]
    public async Task SignIn_WithAnUnknownName_TakesAsLongAsAWrongPasswordOfARealAccount()
    {
        await using var db = await AuthTestDatabase.CreateAsync();
        await db.AccountsAsync(a => a.CreateAsync("alice", null, Password));
        await using var scope = db.Services.CreateAsyncScope();
        var accounts = scope.ServiceProvider.GetRequiredService<Mnemo.Auth.Accounts.IAccountService>();
        await accounts.VerifyPasswordAsync("nobody", "warm-up guess!"); // makes the dummy hash, JITs both paths
        await accounts.VerifyPasswordAsync("alice", "warm-up guess!");

        List<double> unknown = [], known = [];
        for (var i = 0; i < 9; i++)
        {
            // Interleaved, so a burst of load on the machine hits both series alike.
            unknown.Add(await TimeAsync(() => accounts.VerifyPasswordAsync("nobody", "a wrong guess " + i)));
            known.Add(await TimeAsync(() => accounts.VerifyPasswordAsync("alice", "a wrong guess " + i)));
        }

        // A dummy at the old 100k iterations measured 0.46; equal costs measure 0.9-1.1. The band is wide because the
        // machine may be busy (a shared CI runner), but still far from what a mismatched dummy gives.
        var ratio = Median(unknown) / Median(known);
        Assert.InRange(ratio, 0.6, 1.67);
    }

    private static async Task<double> TimeAsync(Func<Task> action)
    {
        var watch = Stopwatch.StartNew();
        await action();
        return watch.Elapsed.TotalMilliseconds;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
