using System;
using System.Security.Cryptography;

namespace PassMan.Crypto;

/// <summary>
/// How a passphrase becomes a key-encryption key: PBKDF2 with HMAC-SHA256. The parameters are
/// stored in the vault; a vault whose parameters are below the minimum is refused when opened, so a
/// tampered or outdated vault cannot make the passphrase cheap to guess.
/// </summary>
public sealed record KdfParameters(string Algorithm, int Iterations, byte[] Salt)
{
    /// <summary>The only algorithm this version understands.</summary>
    public const string Pbkdf2Sha256 = "PBKDF2-SHA256";

    /// <summary>The fewest iterations accepted, after OWASP's advice for PBKDF2-HMAC-SHA256.</summary>
    public const int MinimumIterations = 600_000;

    /// <summary>The salt length, in bytes, of new vaults.</summary>
    public const int SaltLength = 16;

    /// <summary>The shortest passphrase accepted for a new vault or a passphrase change.</summary>
    public const int MinimumPassphraseLength = 8;

    /// <summary>Parameters for a new passphrase: the default algorithm and cost, and a fresh salt.</summary>
    public static KdfParameters CreateNew() =>
        new(Pbkdf2Sha256, MinimumIterations, RandomNumberGenerator.GetBytes(SaltLength));

    /// <summary>
    /// Fails with <see cref="ErrorIds.KdfTooWeak"/> unless the parameters meet the minimum; the
    /// error's target is <paramref name="vaultPath"/>, the vault whose stored settings they are.
    /// </summary>
    public void EnsureStrongEnough(string? vaultPath = null)
    {
        if (Algorithm != Pbkdf2Sha256)
        {
            throw new PassManException(
                ErrorIds.KdfTooWeak,
                PassManErrorKind.Security,
                $"The vault's passphrase is derived with '{Algorithm}', which this PassMan does not accept.",
                vaultPath);
        }

        if (Iterations < MinimumIterations || Salt.Length < SaltLength)
        {
            throw new PassManException(
                ErrorIds.KdfTooWeak,
                PassManErrorKind.Security,
                $"The vault's passphrase derivation ({Iterations} iterations, {Salt.Length}-byte salt) is below "
                    + $"PassMan's minimum of {MinimumIterations} iterations and a {SaltLength}-byte salt. "
                    + "The vault may have been tampered with.",
                vaultPath);
        }
    }

    /// <summary>Derives the key-encryption key for <paramref name="passphrase"/>.</summary>
    internal SecretBuffer DeriveKek(ReadOnlySpan<char> passphrase)
    {
        EnsureStrongEnough();
        var kek = new SecretBuffer(KeyWrap.KekLength);
        Rfc2898DeriveBytes.Pbkdf2(passphrase, Salt, kek.Span, Iterations, HashAlgorithmName.SHA256);
        return kek;
    }

    /// <summary>
    /// Fails with <see cref="ErrorIds.PassphraseTooShort"/> for a passphrase too weak to use; the
    /// error's target is <paramref name="vaultPath"/>, the vault it was meant to protect.
    /// </summary>
    public static void EnsureAcceptable(ReadOnlySpan<char> passphrase, string? vaultPath = null)
    {
        if (passphrase.Trim().Length < MinimumPassphraseLength)
        {
            throw new PassManException(
                ErrorIds.PassphraseTooShort,
                PassManErrorKind.InvalidArgument,
                $"A vault passphrase must have at least {MinimumPassphraseLength} characters besides white space.",
                vaultPath);
        }
    }
}
