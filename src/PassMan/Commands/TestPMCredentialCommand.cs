using System;
using System.Collections.Generic;
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

    private ParallelRun<AccountRef, VerifyResult>? _tests;
    private int _queued;
    private int _done;
    private int _failed;

    /// <summary>Only credentials of this type: Password or SshKey; all that live on the target by default.</summary>
    [Parameter]
    public CredentialType? CredentialType { get; set; }

    /// <summary>How many accounts are tested at once; 8 by default.</summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 8;

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
    protected override void ProcessRecord() => Run(() =>
    {
        // Tests run concurrently in the engine; their results are written here as they finish.
        var vault = ResolveVault();
        var identity = Identity;
        var (targetKey, limit) = vault.GetConnectionLimit(identity);
        if (_tests is null)
        {
            var type = CredentialType;
            _tests = new ParallelRun<AccountRef, VerifyResult>(
                vault, ThrottleLimit, (worker, account) => worker.VerifyCredentials(account, type));
        }

        _tests.Add(identity, targetKey, limit);
        _queued++;
        WriteFinished(_tests.TakeFinished());
    });

    /// <inheritdoc/>
    protected override void EndProcessing()
    {
        if (_tests is not null)
        {
            WriteFinished(_tests.WaitAll());
        }

        WriteProgress(new ProgressRecord(1, ActivityName, $"{_done} done, {_failed} failed")
        {
            RecordType = ProgressRecordType.Completed,
        });
    }

    /// <inheritdoc/>
    protected override void StopProcessing() => _tests?.Stop();

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _tests?.Dispose();
        }

        base.Dispose(disposing);
    }

    private void WriteFinished(IEnumerable<ParallelOutcome<AccountRef, VerifyResult>> outcomes)
    {
        foreach (var outcome in outcomes)
        {
            var written = WriteOutcome(outcome, result =>
            {
                WriteVerbose($"{result}: {result.Summary}.");
                WriteObject(result);
            });
            _done += written is null ? 0 : 1;
            _failed += written is false ? 1 : 0;
            WriteRunProgress(1, ActivityName, _done, _queued, _failed);
        }
    }
}
