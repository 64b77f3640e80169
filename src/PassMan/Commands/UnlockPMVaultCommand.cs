using System.Management.Automation;
using System.Security;
using PassMan.Commands.Hosting;

namespace PassMan.Commands;

/// <summary>
/// <para type="synopsis">Opens a vault in this session and unlocks its keys.</para>
/// </summary>
[Cmdlet(VerbsCommon.Unlock, "PMVault")]
[OutputType(typeof(VaultInfo))]
public sealed class UnlockPMVaultCommand : PassManCmdlet
{
    /// <summary>The vault file; by default the one this session uses.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>The passphrase of a passphrase vault; asked for when left out in an interactive session.</summary>
    [Parameter]
    public SecureString? Passphrase { get; set; }

    /// <summary>Writes the vault's description to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord() => Run(() =>
    {
        var path = Path is not null
            ? ResolveFilePath(Path, "-Path")
            : Session.Vault?.Path ?? VaultLocation.FromEnvironment();

        // A fresh instance: if unlocking fails, the session keeps the vault it had.
        var vault = Vault.Open(path);
        try
        {
            if (vault.Protection == VaultProtection.Passphrase)
            {
                using var passphrase = Passphrase?.Copy()
                    ?? Interaction.ReadSecret(this, "Vault passphrase", "-Passphrase");
                WriteVerbose($"{path}: deriving the key from the passphrase.");
                SecureStrings.Use(passphrase, secret => vault.Unlock(secret));
            }
            else if (Passphrase is not null)
            {
                throw ProtectionParameters.Conflict(
                    $"The vault '{path}' is protected by the key file '{vault.KeyFilePath}'; it takes no -Passphrase.");
            }
            else
            {
                WriteVerbose($"{path}: reading the key file '{vault.KeyFilePath}'.");
                vault.UnlockWithKeyFile();
            }
        }
        catch
        {
            vault.Dispose();
            throw;
        }

        Session.Select(vault);
        WriteVerbose($"{path}: unlocked.");
        if (PassThru)
        {
            WriteObject(vault.GetInfo());
        }
    });
}
