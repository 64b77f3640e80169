using System.Management.Automation;
using PassMan.Model;

namespace PassMan.Commands;

/// <summary>
/// <para type="synopsis">
/// Logs in to the target with each stored credential of an account, and records whether the vault and the
/// target agree.
/// </para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "PMCredential", DefaultParameterSetName = NameSet)]
[OutputType(typeof(VerifyResult))]
public sealed class TestPMCredentialCommand : AccountIdentityCmdlet
{
    private const string ActivityName = "Test-PMCredential";

    private int _done;
    private int _failed;

    /// <summary>Only credentials of this type: Password or SshKey; all that live on the target by default.</summary>
    [Parameter]
    public CredentialType? CredentialType { get; set; }

    /// <inheritdoc/>
    protected override void BeginProcessing() => Validate(() =>
    {
        if (CredentialType == Model.CredentialType.Pin)
        {
            throw new PassManException(
                ErrorIds.InvalidArgument,
                PassManErrorKind.InvalidArgument,
                "A PIN lives in the vault only; there is nothing on the target to test it against.",
                "-CredentialType");
        }
    });

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        var identity = Identity;
        WriteProgress(new ProgressRecord(1, ActivityName, $"{_done} done, {_failed} failed: logging in as {identity}"));
        var ok = TryRun(() =>
        {
            var result = ResolveVault().VerifyCredentials(identity, CredentialType);
            WriteVerbose($"{result}: {result.Summary}.");
            WriteObject(result);
        });
        _done++;
        if (!ok)
        {
            _failed++;
        }
    }

    /// <inheritdoc/>
    protected override void EndProcessing() =>
        WriteProgress(new ProgressRecord(1, ActivityName, $"{_done} done, {_failed} failed")
        {
            RecordType = ProgressRecordType.Completed,
        });
}
