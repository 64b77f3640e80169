using System.Security;

namespace PassMan.Commands;

/// <summary>How -Protection, a passphrase and -KeyFilePath combine; shared by New-PMVault and Set-PMVault.</summary>
internal static class ProtectionParameters
{
    /// <summary>The error id for parameters that contradict each other.</summary>
    public const string ParameterConflict = "ParameterConflict";

    public static void Check(VaultProtection protection, SecureString? passphrase, string? keyFilePath)
    {
        if (protection == VaultProtection.KeyFile && passphrase is not null)
        {
            throw Conflict("A key-file vault has no passphrase: leave it out, or use -Protection Passphrase.");
        }

        if (protection == VaultProtection.Passphrase && keyFilePath is not null)
        {
            throw Conflict("A passphrase vault has no key file: leave out -KeyFilePath, or use -Protection KeyFile.");
        }
    }

    public static PassManException Conflict(string message) =>
        new(ParameterConflict, PassManErrorKind.InvalidArgument, message);
}
