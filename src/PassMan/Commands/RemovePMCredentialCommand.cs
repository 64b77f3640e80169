using System.Management.Automation;
using PassMan.Commands.Hosting;
using PassMan.Keys;
using PassMan.Model;

namespace PassMan.Commands;

/// <summary>
/// <para type="synopsis">
/// Removes a credential from an account; an SSH key also from authorized_keys on the target.
/// </para>
/// </summary>
[Cmdlet(VerbsCommon.Remove, "PMCredential", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High,
    DefaultParameterSetName = NameSet)]
[OutputType(typeof(Account))]
public sealed class RemovePMCredentialCommand : AccountIdentityCmdlet
{
    /// <summary>Password, SshKey or Pin.</summary>
    [Parameter(Mandatory = true)]
    public CredentialType CredentialType { get; set; }

    /// <summary>Which of the account's SSH keys; by default the policy's key type.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(SshKeyTypeCompleter))]
    public string? SshKeyType { get; set; }

    /// <summary>Whether an SSH key is also taken out of authorized_keys; true unless -ChangeOnTarget:$false.</summary>
    [Parameter]
    public SwitchParameter ChangeOnTarget { get; set; }

    /// <summary>Removes without asking for confirmation.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Writes the account to the pipeline once the credential is removed.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    private bool ChangesTarget => OnUnlessTurnedOff(nameof(ChangeOnTarget), ChangeOnTarget);

    /// <inheritdoc/>
    protected override void BeginProcessing() =>
        Validate(() => ProtectionParameters.CheckSshKeyType(SshKeyType, CredentialType));

    /// <inheritdoc/>
    protected override void ProcessRecord() => Run(() =>
    {
        var vault = ResolveVault();
        var state = vault.GetCredentialState(Identity, CredentialType, SshKeyType);
        var what = state.Type switch
        {
            CredentialType.SshKey when ChangesTarget =>
                $"Remove the {state.KeyType} key from the vault and from authorized_keys on the target",
            CredentialType.SshKey => $"Remove the {state.KeyType} key from the vault only; it stays on the target",
            CredentialType.Pin => "Remove the PIN",
            _ => "Remove the password from the vault; the target keeps it",
        };
        if (!ShouldChange($"{state.Target} / {state.UserName}", what, Force))
        {
            return;
        }

        vault.RemoveCredential(Identity, state.Type, state.KeyType, ChangesTarget);
        WriteVerbose($"{state.Target} / {state.UserName}: {what}: done.");
        if (PassThru)
        {
            WriteObject(vault.GetAccount(Identity));
        }
    });
}
