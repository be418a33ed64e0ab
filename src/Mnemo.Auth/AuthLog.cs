using Microsoft.Extensions.Logging;

namespace Mnemo.Auth;

/// <summary>
/// Security events of the auth module. Ids, names and reasons only: never a password, key, token,
/// code or secret, not even a prefix of one.
/// </summary>
internal static partial class AuthLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "User {UserId} ({UserName}) created.")]
    public static partial void UserCreated(ILogger logger, string userId, string userName);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "User {UserId} disabled.")]
    public static partial void UserDisabled(ILogger logger, string userId);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "User {UserId} and its API keys deleted.")]
    public static partial void UserDeleted(ILogger logger, string userId);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "Password sign-in refused: {Reason}.")]
    public static partial void SignInFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "API key {KeyId} created for user {UserId}.")]
    public static partial void ApiKeyCreated(ILogger logger, string keyId, string userId);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "API key {KeyId} revoked.")]
    public static partial void ApiKeyRevoked(ILogger logger, string keyId);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "API key {KeyId} refused: {Reason}.")]
    public static partial void ApiKeyRefused(ILogger logger, string keyId, string reason);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Information, Message = "Bearer credential refused on {Path}: {Reason}.")]
    public static partial void BearerRefused(ILogger logger, string path, string reason);
}
