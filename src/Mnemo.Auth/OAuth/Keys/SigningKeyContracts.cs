namespace Mnemo.Auth.OAuth.Keys;

/// <summary>Where a key of the OAuth server is in its life.</summary>
public enum SigningKeyState
{
    /// <summary>Published (JWKS, validation) but not used yet: every instance and client learns it before it signs.</summary>
    Next,

    /// <summary>Signs (or encrypts) new tokens.</summary>
    Active,

    /// <summary>Superseded: signs nothing new, still validates the tokens it signed until the last one expires.</summary>
    Retiring,
}

/// <summary>A key's public facts (never key material), as <c>mnemo signing-keys list</c> shows them.</summary>
/// <param name="Use"><c>sig</c> (signs tokens) or <c>enc</c> (encrypts them to the server itself).</param>
/// <param name="RetiresAt">When the key is deleted: known once a successor is active, projected from the lifetime until then.</param>
public sealed record SigningKeyInfo(string Id, string Use, DateTimeOffset CreatedAt, DateTimeOffset ActiveFrom, DateTimeOffset RetiresAt, SigningKeyState State);

/// <summary>
/// The OAuth server's signing and encryption keys. They rotate by themselves on a running server
/// (<see cref="MnemoAuthOptions.SigningKeyLifetime"/>); this is the operator's view and manual rotation.
/// </summary>
public interface ISigningKeyService
{
    /// <summary>Every key, never its material.</summary>
    Task<IReadOnlyList<SigningKeyInfo>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates a new key of each use, published at once and protecting new tokens after
    /// <see cref="MnemoAuthOptions.SigningKeyLeadTime"/> (or at once with <paramref name="immediately"/>). Returns the new
    /// keys; empty when another process rotated at the same moment.
    /// </summary>
    Task<IReadOnlyList<SigningKeyInfo>> RotateAsync(bool immediately, CancellationToken cancellationToken = default);
}
