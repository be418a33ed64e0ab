using Mnemo.Storage.Copy;

namespace Mnemo.Storage.Tests.Copy;

/// <summary>What the checksums treat as one value across providers, and what they keep apart.</summary>
public sealed class CanonicalValueTests
{
    [Fact]
    public void ATime_IsItsUtcInstant_WhateverItsKindOrOffset()
    {
        var utc = new DateTime(2026, 12, 2, 13, 37, 52, DateTimeKind.Utc);

        var forms = new[]
        {
            CanonicalValue.Of(utc),
            CanonicalValue.Of(DateTime.SpecifyKind(utc, DateTimeKind.Unspecified)), // SQLite
            CanonicalValue.Of(new DateTimeOffset(utc)),
            CanonicalValue.Of(new DateTimeOffset(utc).ToOffset(TimeSpan.FromHours(-5))),
        };

        Assert.All(forms, f => Assert.Equal("2026-12-02T13:37:52.000000Z", f));
    }

    [Fact]
    public void ATime_KeepsMicroseconds_AndDropsWhatPostgresCannotStore()
    {
        var time = new DateTime(2026, 12, 2, 13, 37, 52, DateTimeKind.Utc).AddTicks(1_234_567);

        Assert.Equal("2026-12-02T13:37:52.123456Z", CanonicalValue.Of(time));
        Assert.NotEqual(CanonicalValue.Of(time), CanonicalValue.Of(time.AddTicks(10)));
    }

    [Fact]
    public void NullEmptyTextAndBytes_AreKeptApart()
    {
        Assert.Null(CanonicalValue.Of(null));
        Assert.Equal("", CanonicalValue.Of(""));
        Assert.Equal("AQL/", CanonicalValue.Of(new byte[] { 1, 2, 255 }));
        Assert.Equal("", CanonicalValue.Of(Array.Empty<byte>()));
    }

    [Fact]
    public void NumbersAndFlags_AreInvariant()
    {
        Assert.Equal("0.1", CanonicalValue.Of(0.1));
        Assert.Equal("-42", CanonicalValue.Of(-42L));
        Assert.Equal("true", CanonicalValue.Of(true));
        Assert.Equal("Paid", CanonicalValue.Of(Plan.Paid));
    }
}
