using System;
using System.Text;
using PassMan.Crypto;

namespace PassMan.Ssh;

/// <summary>
/// Masks secrets in text that came from a target, before it reaches a message: a command that
/// echoes its input must not carry a password into an error record. The comparison is made on
/// the UTF-8 bytes, so no secret is ever turned into a string.
/// </summary>
/// <remarks>
/// A secret that holds a '*' may read again where a mask meets the text beside it: "a*" in "aa*"
/// becomes "a********". Those characters are the mask's and the text's, and tell nothing more.
/// </remarks>
public static class SecretMask
{
    /// <summary>What a masked secret reads as.</summary>
    public const string Mask = "********";

    /// <summary>
    /// Returns <paramref name="text"/> with every occurrence of each secret replaced by <see cref="Mask"/>.
    /// </summary>
    public static string Apply(string text, params SecretBuffer?[] secrets)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(secrets);
        var bytes = Encoding.UTF8.GetBytes(text);
        var masked = false;
        foreach (var secret in secrets)
        {
            if (secret is null || secret.Length == 0)
            {
                continue;
            }

            var replaced = Replace(bytes, secret.Span);
            masked |= replaced.Length != bytes.Length || !replaced.AsSpan().SequenceEqual(bytes);
            bytes = replaced;
        }

        return masked ? Encoding.UTF8.GetString(bytes) : text;
    }

    private static byte[] Replace(byte[] text, ReadOnlySpan<byte> secret)
    {
        var mask = Encoding.ASCII.GetBytes(Mask);
        var result = new System.IO.MemoryStream(text.Length);
        var rest = text.AsSpan();
        while (true)
        {
            var at = rest.IndexOf(secret);
            if (at < 0)
            {
                result.Write(rest);
                return result.ToArray();
            }

            result.Write(rest[..at]);
            result.Write(mask);
            rest = rest[(at + secret.Length)..];
        }
    }
}
