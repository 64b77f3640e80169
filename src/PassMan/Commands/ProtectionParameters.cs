using System.Security;

namespace PassMan.Commands;

/// <summary>How -Protection, a passphrase and -KeyFilePath combine; shared by New-PMVault and Set-PMVault.</summary>
internal static class ProtectionParameters
{
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

    /// <summary>
    /// Checks -SshKeyType against -CredentialType: a key type goes with SshKey only, and must be
    /// one PassMan knows (InvalidArgument). A null key type, as a password's result binds, is fine.
    /// </summary>
    public static void CheckSshKeyType(string? sshKeyType, Model.CredentialType type)
    {
        if (sshKeyType is null)
        {
            return;
        }

        if (type != Model.CredentialType.SshKey)
        {
            throw Conflict("-SshKeyType goes with -CredentialType SshKey.");
        }

        Model.SshKeyTypes.Require(sshKeyType);
    }

    public static PassManException Conflict(string message) =>
        new(ErrorIds.ParameterConflict, PassManErrorKind.InvalidArgument, message);
}
