namespace Mnemo.Auth.Accounts;

/// <summary>What a user name and a password must look like. Messages say what to fix.</summary>
internal static class AccountRules
{
    public const int MinPasswordLength = 12;
    public const int MaxPasswordLength = 1024;
    public const int MaxUserNameLength = 64;

    /// <summary>
    /// 1–64 ASCII letters, digits and <c>. _ - @</c>. ASCII only: look-alike letters from other
    /// scripts (Cyrillic "а" for Latin "a") would let two different accounts read the same on screen.
    /// </summary>
    public static void ValidateUserName(string? userName)
    {
        if (string.IsNullOrEmpty(userName))
        {
            throw new AccountException("The user name is empty: use 1 to 64 letters, digits, '.', '_', '-' or '@'.");
        }

        if (userName.Length > MaxUserNameLength)
        {
            throw new AccountException($"The user name is {userName.Length} characters long: use at most {MaxUserNameLength}.");
        }

        // A name that reads like a user id would make "name or id" look-ups ambiguous (the CLI accepts both).
        if (userName.Length == 32 && userName.All(char.IsAsciiHexDigit))
        {
            throw new AccountException("The user name looks like a user id (32 hexadecimal characters): choose another name.");
        }

        foreach (var c in userName)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-' or '@'))
            {
                throw new AccountException($"The user name contains '{(char.IsControl(c) || char.IsWhiteSpace(c) ? "whitespace or a control character" : c)}': use only letters a-z, digits, '.', '_', '-' and '@'.");
            }
        }
    }

    /// <summary>At least 12 characters and nothing else (NIST SP 800-63B §3.1.1.2: length, no composition rules).</summary>
    public static void ValidatePassword(string? password)
    {
        if (password is null || password.Length < MinPasswordLength)
        {
            throw new AccountException($"The password is too short: use at least {MinPasswordLength} characters (a few words make a good one).");
        }

        // Upper bound only stops hashing megabytes on every sign-in attempt.
        if (password.Length > MaxPasswordLength)
        {
            throw new AccountException($"The password is too long: use at most {MaxPasswordLength} characters.");
        }
    }

    public static string Normalize(string userName) => userName.ToUpperInvariant();

    public static void ValidateEmail(string? email)
    {
        if (email is null)
        {
            return;
        }

        var at = email.IndexOf('@', StringComparison.Ordinal);
        if (email.Length > 256 || at <= 0 || at == email.Length - 1 || email.Any(char.IsWhiteSpace))
        {
            throw new AccountException($"'{email}' is not an email address.");
        }
    }
}
