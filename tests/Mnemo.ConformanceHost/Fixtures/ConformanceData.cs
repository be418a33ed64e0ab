namespace Mnemo.ConformanceHost.Fixtures;

/// <summary>Small binary payloads the conformance fixtures return.</summary>
internal static class ConformanceData
{
    /// <summary>A valid 1x1 red PNG.</summary>
    internal const string PngBase64 =
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC";

    /// <summary>A valid 8 kHz mono 16-bit WAV with eight silent samples.</summary>
    internal const string WavBase64 =
        "UklGRjQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YRAAAAAAAAAAAAAAAAAAAAAAAAAA";

    internal static readonly byte[] PngBytes = Convert.FromBase64String(PngBase64);

    internal static readonly byte[] WavBytes = Convert.FromBase64String(WavBase64);
}
