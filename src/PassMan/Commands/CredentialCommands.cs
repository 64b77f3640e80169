using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Security;
using System.Text;
using PassMan.Commands.Hosting;
using PassMan.Crypto;
using PassMan.Generation;
using PassMan.Keys;
using PassMan.Model;

namespace PassMan.Commands;

/// <summary>
/// <para type="synopsis">Resets credentials: a generated or given new value, in the vault and on the target.</para>
/// </summary>
[Cmdlet(VerbsCommon.Reset, "PMCredential", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High,
    DefaultParameterSetName = NameSet)]
[OutputType(typeof(ResetResult))]
public sealed class ResetPMCredentialCommand : AccountIdentityCmdlet
{
    private const string ActivityName = "Reset-PMCredential";

    private readonly BatchBuffer<ResetRequest> _batch;
    private readonly PasswordGenerators _generators = new();
    private ParallelRun<ResetRequest, ResetResult>? _changes;
    private int _queued;
    private int _done;
    private int _failed;

    /// <summary>Creates the command.</summary>
    public ResetPMCredentialCommand() => _batch = new(WriteBatch, Release);

    /// <summary>Password, SshKey or Pin; Password by default.</summary>
    [Parameter]
    public CredentialType CredentialType { get; set; } = CredentialType.Password;

    /// <summary>Which of the account's SSH keys; by default the policy's key type.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(SshKeyTypeCompleter))]
    public string? SshKeyType { get; set; }

    /// <summary>Generates the new value from the account's policy.</summary>
    [Parameter]
    public SwitchParameter Generate { get; set; }

    /// <summary>The new password or PIN.</summary>
    [Parameter]
    public SecureString? NewCredential { get; set; }

    /// <summary>The new SSH key, from a private key file.</summary>
    [Parameter]
    public string? PrivateKeyPath { get; set; }

    /// <summary>The passphrase of an encrypted -PrivateKeyPath.</summary>
    [Parameter]
    public SecureString? KeyPassphrase { get; set; }

    /// <summary>Whether the target changes too; true unless -ChangeOnTarget:$false.</summary>
    [Parameter]
    public SwitchParameter ChangeOnTarget { get; set; }

    /// <summary>Changes the password through the account's reconcile account, even when its own still works.</summary>
    [Parameter]
    public SwitchParameter Reconcile { get; set; }

    /// <summary>After a vault-only reset, logs in with the new value and sets the status it earns.</summary>
    [Parameter]
    public SwitchParameter Verify { get; set; }

    /// <summary>How many accounts are changed on their targets at once; 8 by default.</summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 8;

    /// <summary>Resets without asking for confirmation.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Writes one result per account, once the change is durable.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    private bool ChangesTarget => OnUnlessTurnedOff(nameof(ChangeOnTarget), ChangeOnTarget);

    /// <inheritdoc/>
    protected override void BeginProcessing() => Validate(() =>
    {
        var sources = (Generate ? 1 : 0) + (NewCredential is null ? 0 : 1) + (PrivateKeyPath is null ? 0 : 1);
        if (sources > 1)
        {
            throw ProtectionParameters.Conflict("Give one new value: -Generate, -NewCredential or -PrivateKeyPath.");
        }

        if (PrivateKeyPath is not null && CredentialType != CredentialType.SshKey)
        {
            throw ProtectionParameters.Conflict("-PrivateKeyPath goes with -CredentialType SshKey.");
        }

        if (KeyPassphrase is not null && PrivateKeyPath is null)
        {
            throw ProtectionParameters.Conflict("-KeyPassphrase goes with -PrivateKeyPath.");
        }

        if (NewCredential is not null && CredentialType == CredentialType.SshKey)
        {
            throw ProtectionParameters.Conflict(
                "A new SSH key comes from -Generate or -PrivateKeyPath, not -NewCredential.");
        }

        if (Verify && CredentialType == CredentialType.Pin)
        {
            throw ProtectionParameters.Conflict(
                "-Verify tries a credential on the target; a PIN lives in the vault only.");
        }

        if (Verify && ChangesTarget)
        {
            throw ProtectionParameters.Conflict(
                "-Verify goes with -ChangeOnTarget:$false; a change on the target is always verified.");
        }

        if (Reconcile && !ChangesTarget)
        {
            throw ProtectionParameters.Conflict("-Reconcile goes with a change on the target.");
        }

        ProtectionParameters.CheckSshKeyType(SshKeyType, CredentialType);
    });

    /// <inheritdoc/>
    protected override void ProcessRecord() => Run(() =>
    {
        // Read here for the warning and the confirmation; the batch reads it again in its
        // transaction, which is what the reset relies on.
        var vault = ResolveVault();
        var state = vault.GetCredentialState(Identity, CredentialType, SshKeyType);
        var name = $"{state.Target} / {state.UserName}";

        // A locked vault is reported before anyone types a new value at a prompt.
        vault.EnsureUnlocked();
        var what = DescribeChange(state);
        if (!ChangesTarget && state.Status == AccountStatus.InSync)
        {
            WriteWarning($"{name}: the {Describe(state)} changes in the vault only. The vault will no longer hold "
                + "what opens the target, and the account loses InSync.");
        }

        var onTarget = ChangesTarget && state.Type != CredentialType.Pin;
        if (onTarget && IsWhatIf)
        {
            // -WhatIf checks for real what the change needs: the host key, a login, a value.
            if (state.Type == CredentialType.SshKey)
            {
                what += "; " + vault.WhatIfKeyOnTarget(Identity, state.Type, state.KeyType, Reconcile);
            }
            else
            {
                var trial = NewRequest(state);
                try
                {
                    what += "; " + vault.WhatIfOnTarget(trial, Reconcile);
                }
                finally
                {
                    Release(trial);
                }
            }
        }

        if (!ShouldChange(name, what, Force))
        {
            return;
        }

        var request = NewRequest(state);
        WriteProgress(new ProgressRecord(1, ActivityName, $"{name}: {what}") { PercentComplete = -1 });
        WriteVerbose($"{name}: resetting the {Describe(state)}.");
        if (!onTarget)
        {
            _batch.Add(request);
            return;
        }

        // Changes on targets run concurrently in the engine; their results are written here, on
        // the pipeline thread, as they finish.
        var (targetKey, limit) = vault.GetConnectionLimit(Identity);
        Changes(vault).Add(request, targetKey, limit);
        _queued++;
        WriteFinished(Changes(vault).TakeFinished());
    });

    /// <inheritdoc/>
    protected override void StopProcessing() => _changes?.Stop();

    private ParallelRun<ResetRequest, ResetResult> Changes(Vault vault)
    {
        if (_changes is null)
        {
            var reconcile = Reconcile.IsPresent;
            _changes = new ParallelRun<ResetRequest, ResetResult>(vault, ThrottleLimit, (worker, request) =>
                request.Type == CredentialType.SshKey
                    ? worker.ResetKeyOnTarget(request, reconcile)
                    : worker.ResetOnTarget(request, reconcile));
        }

        return _changes;
    }

    private void WriteFinished(IEnumerable<ParallelOutcome<ResetRequest, ResetResult>> outcomes)
    {
        foreach (var outcome in outcomes)
        {
            Release(outcome.Item);
            var written = WriteOutcome(outcome, result =>
            {
                if (PassThru)
                {
                    WriteObject(result);
                }
            });
            _done += written is null ? 0 : 1;
            _failed += written is false ? 1 : 0;
            WriteRunProgress(2, ActivityName, _done, _queued, _failed);
        }
    }

    /// <inheritdoc/>
    protected override void EndProcessing()
    {
        _batch.Flush();
        if (_changes is not null)
        {
            WriteFinished(_changes.WaitAll());
            WriteProgress(new ProgressRecord(2, ActivityName, "Done") { RecordType = ProgressRecordType.Completed });
        }

        WriteProgress(new ProgressRecord(1, ActivityName, "Done") { RecordType = ProgressRecordType.Completed });
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _batch.Dispose();
            _changes?.Dispose();
        }

        base.Dispose(disposing);
    }

    private void WriteBatch(IReadOnlyList<ResetRequest> requests) => Run(() =>
    {
        var vault = ResolveVault();
        foreach (var result in vault.ResetCredentials(requests))
        {
            if (result.Error is { } error)
            {
                WriteError(error);
                continue;
            }

            if (Verify && TryRun(() => VerifyReset(vault, result.Value!)) is false)
            {
                continue;
            }

            if (PassThru)
            {
                WriteObject(result.Value);
            }
        }
    });

    private void VerifyReset(Vault vault, ResetResult result)
    {
        vault.VerifyReset(result);
        if (result.StatusAfter != nameof(AccountStatus.InSync))
        {
            WriteWarning($"{result.Target} / {result.UserName}: the new {result.CredentialType} is stored, and it does "
                + "not log in to the target: the account stays NotInSync.");
        }
    }

    private ResetRequest NewRequest(CredentialState state)
    {
        var changeOnTarget = ChangesTarget && state.Type != CredentialType.Pin;
        if (state.Type == CredentialType.SshKey)
        {
            var key = PrivateKeyPath is not null ? ReadKey(state) : GenerateKeyRequired(state);
            return new ResetRequest(Identity, state.Type, state.KeyType, null, key, Generate, changeOnTarget);
        }

        SecretBuffer value;
        if (Generate)
        {
            value = state.Type == CredentialType.Pin
                ? PasswordGenerator.GeneratePin(state.Policy.PinLength)
                : _generators.Password(state.Policy);
        }
        else
        {
            using var typed = NewCredential?.Copy() ?? Interaction.ReadNewSecret(
                this,
                $"New {Describe(state)} for {state.Target} / {state.UserName}",
                "-Generate or -NewCredential");
            value = SecretInput.ToUtf8(typed, state.Type, "-NewCredential");
        }

        return new ResetRequest(Identity, state.Type, null, value, null, Generate, changeOnTarget);
    }

    private SshKey GenerateKeyRequired(CredentialState state)
    {
        if (!Generate)
        {
            throw new PassManException(
                ErrorIds.InteractiveInputRequired,
                PassManErrorKind.InvalidArgument,
                "A new SSH key comes from -Generate or -PrivateKeyPath; it cannot be typed at a prompt.",
                "-Generate or -PrivateKeyPath");
        }

        return GenerateKey(
            state.KeyType!,
            state.Policy.RsaKeySize,
            $"PassMan {state.Target}/{state.UserName}",
            ActivityName,
            $"{state.Target} / {state.UserName}: generating an {state.KeyType} key");
    }

    private SshKey ReadKey(CredentialState state)
    {
        using var key = KeyFiles.ReadKey(ResolveFilePath(PrivateKeyPath!, "-PrivateKeyPath"), KeyPassphrase);
        return key.WithComment($"PassMan {state.Target}/{state.UserName}");
    }

    private string DescribeChange(CredentialState state)
    {
        var where = state.Type == CredentialType.Pin ? "in the vault (a PIN lives there only)"
            : ChangesTarget ? "in the vault and on the target"
            : "in the vault only";
        var loses = !ChangesTarget && state.Status == AccountStatus.InSync
            ? "; the account will lose InSync"
            : string.Empty;
        var source = Generate ? "generated" : PrivateKeyPath is not null ? "from a key file" : "given";
        return $"{Describe(state)}, {where}, {source}{loses}";
    }

    private static string Describe(CredentialState state) => state.Type switch
    {
        CredentialType.SshKey => $"{state.KeyType} key",
        CredentialType.Pin => "PIN",
        _ => "password",
    };

    private static void Release(ResetRequest request)
    {
        request.Value?.Dispose();
        request.Key?.Dispose();
    }
}

/// <summary>
/// <para type="synopsis">Checks a credential out: its current or a past value, to an authorised caller, audited.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "PMCredential", DefaultParameterSetName = NameSet)]
[OutputType(typeof(PSCredential), typeof(SecureString), typeof(SshKeyCredential), typeof(string), typeof(FileInfo),
    typeof(CredentialVersion))]
public sealed class GetPMCredentialCommand : AccountIdentityCmdlet
{
    private bool _warned;

    /// <summary>Password, SshKey or Pin; Password by default. Reset results bind theirs.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public CredentialType CredentialType { get; set; } = CredentialType.Password;

    /// <summary>Which of the account's SSH keys; by default the policy's key type. Reset results bind theirs.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("KeyType")]
    [ArgumentCompleter(typeof(SshKeyTypeCompleter))]
    public string? SshKeyType { get; set; }

    /// <summary>A past version to check out, from -History.</summary>
    [Parameter]
    public int? Version { get; set; }

    /// <summary>Lists the credential's versions instead of checking one out.</summary>
    [Parameter]
    public SwitchParameter History { get; set; }

    /// <summary>Checks out the value of a change on the target whose outcome is not known yet.</summary>
    [Parameter]
    public SwitchParameter Pending { get; set; }

    /// <summary>Writes an SSH key's private key to this file, or into this folder.</summary>
    [Parameter]
    public string? OutFile { get; set; }

    /// <summary>Returns the value as clear text.</summary>
    [Parameter]
    public SwitchParameter AsPlainText { get; set; }

    /// <summary>Why the credential is checked out; recorded in the audit log.</summary>
    [Parameter]
    public string? Reason { get; set; }

    /// <inheritdoc/>
    protected override void BeginProcessing() => Validate(() =>
    {
        if (OutFile is not null && CredentialType != CredentialType.SshKey)
        {
            throw ProtectionParameters.Conflict("-OutFile writes SSH private keys only.");
        }

        if (History && (Version is not null || OutFile is not null || AsPlainText || Reason is not null))
        {
            throw ProtectionParameters.Conflict(
                "-History lists versions; it takes no -Version, -OutFile, -AsPlainText or -Reason.");
        }

        if (Pending && (Version is not null || History))
        {
            throw ProtectionParameters.Conflict("-Pending checks out the pending value; -Version and -History do not "
                + "go with it.");
        }

        if (OutFile is not null && AsPlainText)
        {
            throw ProtectionParameters.Conflict("-OutFile writes the key to a file; -AsPlainText does not go with it.");
        }
    });

    /// <inheritdoc/>
    protected override void ProcessRecord() => Run(() =>
    {
        var vault = ResolveVault();
        if (SshKeyType is not null && CredentialType != CredentialType.SshKey)
        {
            // A reset result of a password binds a null KeyType; only a real key type is a conflict.
            throw ProtectionParameters.Conflict("-SshKeyType goes with -CredentialType SshKey.");
        }

        if (History)
        {
            WriteObject(vault.GetCredentialHistory(Identity, CredentialType, SshKeyType), enumerateCollection: true);
            return;
        }

        // Created before the checkout, so that a file that cannot be written is no checkout in the audit log.
        var keyFile = OutFile is null ? null : KeyFilePath(vault);
        using var stream = keyFile is null ? null : CreateKeyFile(keyFile);
        CheckedOutCredential value;
        try
        {
            value = Pending
                ? vault.CheckOutPending(Identity, CredentialType, SshKeyType, Reason)
                : vault.CheckOut(Identity, CredentialType, SshKeyType, Version, Reason);
        }
        catch
        {
            if (stream is not null)
            {
                stream.Dispose();
                File.Delete(keyFile!);
            }

            throw;
        }

        using var checkedOut = value;
        WriteVerbose($"{value.Target} / {value.UserName}: checked out {(Pending ? "the pending " : "")}version "
            + $"{value.Version}.");
        if (Pending)
        {
            WriteWarning($"{value.Target} / {value.UserName}: this is the value of a change whose outcome is not "
                + "known; the target has it or the current one. Test-PMCredential finds out which and keeps it.");
        }
        else if (Version is null && vault.GetCredentialState(Identity, CredentialType, SshKeyType).HasPending)
        {
            WriteWarning($"{value.Target} / {value.UserName}: a change of this credential on the target was cut off; "
                + "the target may have the new value rather than this one. Test-PMCredential finds out and keeps "
                + "whichever logs in.");
        }
        if (stream is not null)
        {
            stream.Write(value.Value.Span);
            stream.Flush(flushToDisk: true);
            WriteObject(new FileInfo(keyFile!));
        }
        else if (AsPlainText)
        {
            if (!_warned)
            {
                WriteWarning("-AsPlainText returns the credential as clear text: it can end up in the console, its "
                    + "history and transcripts.");
                _warned = true;
            }

            WriteObject(Encoding.UTF8.GetString(value.Value.Span));
        }
        else
        {
            WriteObject(value.Type switch
            {
                CredentialType.Password => new PSCredential(value.UserName, value.ToSecureString()),
                CredentialType.Pin => value.ToSecureString(),
                _ => KeyObject(value),
            });
        }
    });

    private static SshKeyCredential KeyObject(CheckedOutCredential value)
    {
        using var key = SshKeyReader.Read(value.Value.Span, default);
        return new SshKeyCredential(key, value.UserName);
    }

    /// <summary>The file -OutFile names, or the one in the folder it names; it must not exist yet.</summary>
    private string KeyFilePath(Vault vault)
    {
        var path = ResolveProviderPath(OutFile!, "-OutFile");
        if (Directory.Exists(path))
        {
            var state = vault.GetCredentialState(Identity, CredentialType, SshKeyType);
            var name = $"{state.Target}_{state.UserName}_{state.KeyType}";
            foreach (var invalid in Path.GetInvalidFileNameChars())
            {
                name = name.Replace(invalid, '_');
            }

            path = Path.Combine(path, name);
        }

        if (File.Exists(path))
        {
            throw new PassManException(
                ErrorIds.OutFileExists,
                PassManErrorKind.AlreadyExists,
                $"'{path}' exists already; PassMan does not overwrite a key file. Remove it or name another.",
                path);
        }

        return path;
    }

    private static FileStream CreateKeyFile(string path) =>
        FileAccessErrors.Guard(path, "write the key file", () => OwnerOnlyFiles.CreateNew(path));
}
