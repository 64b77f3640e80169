using System.Management.Automation;
using System.Security;
using PassMan.Commands.Hosting;

namespace PassMan.Commands;

/// <summary>
/// <para type="synopsis">Changes how the vault's data key is protected: a new passphrase, or a key file.</para>
/// </summary>
[Cmdlet(VerbsCommon.Set, "PMVault", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(VaultInfo))]
public sealed class SetPMVaultCommand : PassManCmdlet
{
    /// <summary>The protection to switch to; by default what the other parameters imply, else the current.</summary>
    [Parameter]
    public VaultProtection? Protection { get; set; }

    /// <summary>The new passphrase; asked for twice when left out in an interactive session.</summary>
    [Parameter]
    public SecureString? NewPassphrase { get; set; }

    /// <summary>Where to write the new key file; by default next to the vault.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KeyFilePath { get; set; }

    /// <summary>The current passphrase, when the vault is locked.</summary>
    [Parameter]
    public SecureString? Passphrase { get; set; }

    /// <summary>Writes the vault's description to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord() => Run(() =>
    {
        var vault = ResolveVault();
        var keyFile = KeyFilePath is null ? null : ResolveFilePath(KeyFilePath, "-KeyFilePath");
        var target = Protection
            ?? (keyFile is not null ? VaultProtection.KeyFile
                : NewPassphrase is not null ? VaultProtection.Passphrase
                : vault.Protection);
        ProtectionParameters.Check(target, NewPassphrase, keyFile);

        var previousKeyFile = vault.KeyFilePath;
        var action = target == VaultProtection.Passphrase
            ? "Protect the vault's data key with a new passphrase"
            : $"Protect the vault's data key with the new key file "
                + $"'{keyFile ?? VaultLocation.DefaultKeyFilePath(vault.Path)}'";
        if (!ShouldChange(vault.Path, action))
        {
            return;
        }

        var unlockedHere = EnsureUnlocked(vault);
        try
        {
            if (target == VaultProtection.Passphrase)
            {
                using var passphrase = NewPassphrase?.Copy()
                    ?? Interaction.ReadNewSecret(this, "New vault passphrase", "-NewPassphrase");
                WriteVerbose($"{vault.Path}: wrapping the data key under the new passphrase.");
                SecureStrings.Use(passphrase, secret => vault.SetPassphrase(secret));
            }
            else
            {
                WriteVerbose($"{vault.Path}: wrapping the data key under a new key file.");
                vault.UseKeyFile(keyFile);
            }
        }
        finally
        {
            if (unlockedHere)
            {
                vault.Lock();
            }
        }

        if (previousKeyFile is not null && previousKeyFile != vault.KeyFilePath)
        {
            WriteWarning(
                $"The key file '{previousKeyFile}' no longer opens this vault, but it still opens backups taken "
                + "before this change. Delete it once those backups are gone.");
        }

        if (PassThru)
        {
            WriteObject(vault.GetInfo());
        }
    });

    /// <summary>Unlocks a locked passphrase vault for this command; returns whether it did.</summary>
    private bool EnsureUnlocked(Vault vault)
    {
        if (vault.IsUnlocked || vault.Protection == VaultProtection.KeyFile)
        {
            return false;
        }

        using var passphrase = Passphrase?.Copy()
            ?? Interaction.ReadSecret(this, "Current vault passphrase", "-Passphrase");
        SecureStrings.Use(passphrase, secret => vault.Unlock(secret));
        return true;
    }
}
