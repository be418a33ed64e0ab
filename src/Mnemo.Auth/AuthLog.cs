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

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "Password of user {UserId} changed; its browser sessions ended.")]
    public static partial void PasswordChanged(ILogger logger, string userId);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Information, Message = "Every browser session of user {UserId} ended (sign out everywhere).")]
    public static partial void SessionsEnded(ILogger logger, string userId);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "API key {KeyId} created for user {UserId}.")]
    public static partial void ApiKeyCreated(ILogger logger, string keyId, string userId);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "API key {KeyId} revoked.")]
    public static partial void ApiKeyRevoked(ILogger logger, string keyId);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "API key {KeyId} refused: {Reason}.")]
    public static partial void ApiKeyRefused(ILogger logger, string keyId, string reason);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Information, Message = "Bearer credential refused on {Path}: {Reason}.")]
    public static partial void BearerRefused(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "OAuth client {ClientId} registered ({Origin}, confidential: {Confidential}).")]
    public static partial void ClientRegistered(ILogger logger, string clientId, string origin, bool confidential);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "OAuth client {ClientId} deleted and its grants revoked.")]
    public static partial void ClientDeleted(ILogger logger, string clientId);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Client registration refused: {Error} ({Reason}).")]
    public static partial void ClientRegistrationRefused(ILogger logger, string error, string reason);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Client metadata document {ClientId} refused: {Reason}.")]
    public static partial void MetadataDocumentRefused(ILogger logger, string clientId, string reason);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Information, Message = "Request refused: {Error} ({Reason}).")]
    public static partial void RequestRefused(ILogger logger, string error, string reason);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "User {UserId} signed in to the authorization pages.")]
    public static partial void SignedIn(ILogger logger, string userId);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "Sign-in for {UserName} throttled after repeated failures.")]
    public static partial void SignInThrottled(ILogger logger, string userName);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Information, Message = "User {UserId} granted {Scopes} to client {ClientId}.")]
    public static partial void ConsentGranted(ILogger logger, string userId, string clientId, string scopes);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Information, Message = "User {UserId} denied client {ClientId}.")]
    public static partial void ConsentDenied(ILogger logger, string userId, string clientId);

    [LoggerMessage(EventId = 2105, Level = LogLevel.Information, Message = "Access token refused on {Path}: {Reason}.")]
    public static partial void AccessTokenRefused(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 2106, Level = LogLevel.Information, Message = "Tool call {Tool} refused: scope {Scope} missing.")]
    public static partial void InsufficientScope(ILogger logger, string tool, string scope);

    [LoggerMessage(EventId = 2107, Level = LogLevel.Warning, Message = "First-run setup: account {UserName} created through the setup page.")]
    public static partial void SetupCompleted(ILogger logger, string userName);

    [LoggerMessage(EventId = 2108, Level = LogLevel.Information, Message = "Browser session refused: {Reason}.")]
    public static partial void SessionRefused(ILogger logger, string reason);

    [LoggerMessage(EventId = 2109, Level = LogLevel.Information, Message = "User {UserId} signed out of this browser.")]
    public static partial void SignedOut(ILogger logger, string userId);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Information, Message = "Resource indicator refused (invalid_target): this server protects only {Expected}.")]
    public static partial void ResourceRefused(ILogger logger, string expected);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Information, Message = "Refresh token revoked: authorization {AuthorizationId} and every token of it revoked too.")]
    public static partial void GrantRevoked(ILogger logger, string authorizationId);

    [LoggerMessage(EventId = 1090, Level = LogLevel.Warning, Message = "Rate limit reached on {Path} for {ClientAddress}.")]
    public static partial void RateLimited(ILogger logger, string path, string clientAddress);

    [LoggerMessage(EventId = 1091, Level = LogLevel.Information, Message = "Registration of client {ClientId} repeated within the de-duplication window; the same client id was returned.")]
    public static partial void ClientRegistrationDeduplicated(ILogger logger, string clientId);

    [LoggerMessage(EventId = 1092, Level = LogLevel.Information, Message = "Removed {Count} dynamically registered client(s) that were never used or long idle.")]
    public static partial void ClientsReaped(ILogger logger, int count);

    [LoggerMessage(EventId = 1093, Level = LogLevel.Warning, Message = "The sweep of unused clients failed; it runs again in an hour.")]
    public static partial void ClientReapFailed(ILogger logger, Exception exception);
}
