using System;
using System.Collections.Generic;

namespace PassMan.Model;

/// <summary>The SSH key types PassMan generates and rotates, by their OpenSSH names.</summary>
public static class SshKeyTypes
{
    /// <summary>RSA, signing with rsa-sha2-256 or rsa-sha2-512; the default.</summary>
    public const string Rsa = "ssh-rsa";

    /// <summary>ECDSA on the NIST P-256 curve.</summary>
    public const string EcdsaP256 = "ecdsa-sha2-nistp256";

    /// <summary>DSA at 1024 bits: legacy, for targets that accept nothing newer.</summary>
    public const string Dsa = "ssh-dss";

    /// <summary>Ed25519.</summary>
    public const string Ed25519 = "ssh-ed25519";

    /// <summary>Every supported type, in the order PassMan lists them.</summary>
    public static IReadOnlyList<string> All { get; } = [Rsa, EcdsaP256, Dsa, Ed25519];

    /// <summary>Whether <paramref name="name"/> is a supported key type (exact, lower case).</summary>
    public static bool IsKnown(string? name) => name is not null && ((IList<string>)All).Contains(name);

    /// <summary>Fails with InvalidArgument unless the name is a supported key type.</summary>
    public static string Require(string name) => IsKnown(name)
        ? name
        : throw new PassManException(
            ErrorIds.InvalidArgument,
            PassManErrorKind.InvalidArgument,
            $"'{name}' is not an SSH key type PassMan knows; use one of {string.Join(", ", All)}.",
            name);

    /// <summary>Compares key type names as OpenSSH does: exactly.</summary>
    public static StringComparer Comparer => StringComparer.Ordinal;
}
