using System.Management.Automation;

namespace PassMan.Commands;

/// <summary>
/// <para type="synopsis">Clears the vault's keys from this session's memory.</para>
/// </summary>
[Cmdlet(VerbsCommon.Lock, "PMVault")]
[OutputType(typeof(VaultInfo))]
public sealed class LockPMVaultCommand : PassManCmdlet
{
    /// <summary>Writes the vault's description to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord() => Run(() =>
    {
        if (Session.Vault is not { } vault)
        {
            WriteVerbose("No vault is open in this session; there is no key to clear.");
            return;
        }

        vault.Lock();
        WriteVerbose(vault.Protection == VaultProtection.Passphrase
            ? $"{vault.Path}: locked; Unlock-PMVault opens it again."
            : $"{vault.Path}: key cleared; the next command reads the key file again.");
        if (PassThru)
        {
            WriteObject(vault.GetInfo());
        }
    });
}
