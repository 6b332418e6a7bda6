namespace Halo.Api.Features.Auth;

/// <summary>
/// Minimum strength: long enough, not all one kind of character, not a well-known password, not the email.
/// Length matters most (NIST 800-63B), so a long passphrase passes with letters only.
/// </summary>
public static class PasswordRules
{
    private static readonly HashSet<string> Common = new(StringComparer.OrdinalIgnoreCase)
    {
        "password", "password1", "password123", "passw0rd", "1234567890", "12345678910", "qwertyuiop", "qwerty123",
        "iloveyou", "letmein123", "welcome123", "admin12345", "abc1234567", "sommar2024", "sommar2025", "losenord",
        "lösenord123", "hejhej123", "1q2w3e4r5t", "asdfghjkl1", "trustno1", "football1", "monkey1234", "dragon1234",
    };

    public static string? Check(string? password, string? email, int minLength)
    {
        if (string.IsNullOrEmpty(password)) return "Is required.";
        if (password.Length < minLength) return $"Must be at least {minLength} characters.";
        if (password.Length > 256) return "Must be at most 256 characters.";
        if (Common.Contains(password)) return "Is too common.";
        if (email is not null && password.Contains(email.Split('@')[0], StringComparison.OrdinalIgnoreCase) && email.Split('@')[0].Length >= 4)
            return "Must not contain your email name.";
        var classes = (password.Any(char.IsLower) ? 1 : 0) + (password.Any(char.IsUpper) ? 1 : 0)
                    + (password.Any(char.IsDigit) ? 1 : 0) + (password.Any(c => !char.IsLetterOrDigit(c)) ? 1 : 0);
        if (classes < 2 && password.Length < 16) return "Use at least two kinds of characters (letters, digits, symbols), or 16+ characters.";
        if (password.Distinct().Count() < 5) return "Has too few different characters.";
        return null;
    }
}
