using Microsoft.Extensions.Logging;

namespace Mnemo.Auth;

/// <summary>Events of the OAuth server's key rotation (ids 3xxx). Key ids only, never key material.</summary>
internal static partial class AuthLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "OAuth server key {KeyId} ({Use}) created; it protects new tokens from {ActiveFrom:O}.")]
    public static partial void ServerKeyCreated(ILogger logger, string keyId, string use, DateTimeOffset activeFrom);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "OAuth server key {KeyId} retired: every token it protected has expired.")]
    public static partial void ServerKeyRetired(ILogger logger, string keyId);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "OAuth server keys reloaded: {KeyIds}.")]
    public static partial void ServerKeysReloaded(ILogger logger, string keyIds);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Error, Message = "OAuth server keys could not be reloaded; the keys loaded before stay in use.")]
    public static partial void ServerKeysReloadFailed(ILogger logger, Exception exception);
}
