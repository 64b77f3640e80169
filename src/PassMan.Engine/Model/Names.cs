using System;
using System.Text;

namespace PassMan.Model;

/// <summary>
/// The rules for names of targets, accounts and policies: what is accepted, and the folded key by
/// which two names are the same. SQLite's NOCASE folds ASCII only, so PassMan keeps its own key:
/// compatibility-normalised (NFKC) and case-folded by a round trip through upper and lower case,
/// which also folds letters such as the Kelvin sign, the long s and the Greek final sigma.
/// </summary>
public static class Names
{
    /// <summary>The longest target, user or policy name accepted.</summary>
    public const int MaxNameLength = 256;

    /// <summary>The longest host name accepted, as DNS allows.</summary>
    public const int MaxHostNameLength = 253;

    /// <summary>The longest description accepted.</summary>
    public const int MaxDescriptionLength = 4096;

    /// <summary>The key under which a name is unique.</summary>
    public static string Fold(string name)
    {
        try
        {
            return name.Normalize(NormalizationForm.FormKC).ToUpperInvariant().ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            // Normalize refuses invalid UTF-16, such as a lone surrogate.
            throw Invalid(Shorten(name), "A name cannot hold invalid Unicode (a lone surrogate character).");
        }
    }

    /// <summary>Fails with InvalidName unless <paramref name="value"/> is a usable name.</summary>
    public static string Require(string? value, string what, int maxLength = MaxNameLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw Invalid(value, $"A {what} name cannot be empty.");
        }

        if (value.Length > maxLength)
        {
            throw Invalid(
                Shorten(value),
                $"A {what} name has at most {maxLength} characters; this one has {value.Length}.");
        }

        Fold(value);
        if (HasControlCharacter(value))
        {
            throw Invalid(Shorten(value), $"A {what} name cannot hold control characters such as NUL, CR or LF.");
        }

        if (value.Trim().Length != value.Length)
        {
            throw Invalid(value, $"A {what} name cannot begin or end with white space.");
        }

        return value;
    }

    /// <summary>Checks a host name or address: letters, digits and . - _ : [ ] only.</summary>
    public static string RequireHostName(string? value)
    {
        Require(value, "host", MaxHostNameLength);
        foreach (var c in value!)
        {
            var allowed = char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or ':' or '[' or ']'
                || (c > 0x7F && char.IsLetterOrDigit(c));
            if (!allowed)
            {
                throw Invalid(value, $"'{value}' is not a host name or address: '{c}' cannot appear in one.");
            }
        }

        return value;
    }

    /// <summary>Checks an optional description: no NUL, and not too long.</summary>
    public static string? RequireDescription(string? value)
    {
        if (value is null)
        {
            return null;
        }

        if (value.Length > MaxDescriptionLength || value.Contains('\0', StringComparison.Ordinal))
        {
            throw new PassManException(
                ErrorIds.InvalidArgument,
                PassManErrorKind.InvalidArgument,
                $"A description has at most {MaxDescriptionLength} characters and no NUL.",
                Shorten(value));
        }

        return value;
    }

    /// <summary>Checks a TCP port.</summary>
    public static int RequirePort(int port) => port is >= 1 and <= 65535
        ? port
        : throw new PassManException(
            ErrorIds.InvalidArgument,
            PassManErrorKind.InvalidArgument,
            $"Port {port} is outside 1-65535.",
            port);

    private static bool HasControlCharacter(string value)
    {
        foreach (var c in value)
        {
            if (char.IsControl(c))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A long value shown in an error message, cut so the message stays readable.</summary>
    private static string Shorten(string value)
    {
        var visible = value.Length > 64 ? value[..64] + "..." : value;
        return visible.Replace("\0", "\\0", StringComparison.Ordinal)
            .Replace("\r", "\\r", StringComparison.Ordinal)
            .Replace("\n", "\\n", StringComparison.Ordinal);
    }

    private static PassManException Invalid(string? value, string message) =>
        new(ErrorIds.InvalidName, PassManErrorKind.InvalidArgument, message, value);
}
