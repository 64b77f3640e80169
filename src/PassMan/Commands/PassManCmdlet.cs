using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using System.Management.Automation;
using PassMan.Commands.Hosting;

namespace PassMan.Commands;

/// <summary>
/// What every PassMan cmdlet shares: finding the vault, turning engine errors into error records,
/// and resolving PowerShell paths.
/// </summary>
public abstract class PassManCmdlet : PSCmdlet, IDisposable
{
    private Vault? _ownedVault;

    /// <summary>This runspace's vault session.</summary>
    internal static VaultSession Session => VaultSessions.Current;

    /// <summary>
    /// The vault this command works on: the one opened in this runspace by New-PMVault or
    /// Unlock-PMVault; else the one named by $env:PASSMAN_VAULT; else the per-user default.
    /// A vault opened here just for this command is closed when the command ends.
    /// </summary>
    protected Vault ResolveVault()
    {
        if (Session.Vault is { } selected)
        {
            return selected;
        }

        return _ownedVault ??= Vault.Open(VaultLocation.FromEnvironment());
    }

    /// <summary>Opens the vault at <paramref name="path"/> for this command, unless the session has it open.</summary>
    protected Vault OpenVault(string path)
    {
        if (Session.Vault is { } selected && SamePath(selected.Path, path))
        {
            return selected;
        }

        if (_ownedVault is not null && SamePath(_ownedVault.Path, path))
        {
            return _ownedVault;
        }

        _ownedVault?.Dispose();
        return _ownedVault = Vault.Open(path);
    }

    /// <summary>Turns a PowerShell path (relative, ~, a PSDrive) into a full file-system path of a file.</summary>
    protected string ResolveFilePath(string path, string parameterName) =>
        VaultLocation.FullPath(ResolveProviderPath(path, parameterName));

    /// <summary>Turns a PowerShell path into a file-system path, which may name a file or a folder.</summary>
    protected string ResolveProviderPath(string path, string parameterName)
    {
        try
        {
            var resolved = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out var provider, out _);
            if (provider.ImplementingType != typeof(Microsoft.PowerShell.Commands.FileSystemProvider))
            {
                throw new PassManException(
                    ErrorIds.InvalidPath,
                    PassManErrorKind.InvalidArgument,
                    $"{parameterName} '{path}' is on the {provider.Name} provider; PassMan needs a file-system path.",
                    path);
            }

            return resolved;
        }
        catch (Exception e) when (e is ProviderNotFoundException or DriveNotFoundException or PSArgumentException
            or ArgumentException or NotSupportedException)
        {
            throw new PassManException(
                ErrorIds.InvalidPath,
                PassManErrorKind.InvalidArgument,
                $"{parameterName} '{path}' is not a usable file path: {e.Message}",
                path,
                e);
        }
    }

    /// <summary>Writes a non-terminating error for one failed item; the pipeline goes on.</summary>
    protected void WriteError(PassManException error) => WriteError(ToErrorRecord(error));

    /// <summary>
    /// Runs the work for one input. A PassMan error becomes a non-terminating error record for that
    /// input, so -ErrorAction decides what happens next and a pipeline goes on with the next item.
    /// </summary>
    protected void Run(Action step) => TryRun(step);

    /// <summary>
    /// Checks the parameters before any input: a PassMan error here is a terminating error, so a
    /// refused combination of parameters stops the command before it changes anything.
    /// </summary>
    protected void Validate(Action check)
    {
        ArgumentNullException.ThrowIfNull(check);
        try
        {
            check();
        }
        catch (PassManException e)
        {
            ThrowTerminatingError(ToErrorRecord(e));
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Closes a vault opened for this command alone.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _ownedVault?.Dispose();
            _ownedVault = null;
        }
    }

    /// <summary>
    /// ShouldProcess, except that a confirmation prompt in a session that cannot prompt fails with
    /// InteractiveInputRequired (naming -Force or -Confirm:$false) instead of the host's exception;
    /// <paramref name="force"/> skips the confirmation, but not -WhatIf.
    /// </summary>
    protected bool ShouldChange(string target, string action, bool force = false)
    {
        var whatIf = IsWhatIf;
        var confirmAsked = MyInvocation.BoundParameters.TryGetValue("Confirm", out var confirm)
            && ((SwitchParameter)confirm).IsPresent;
        if (force && !whatIf && !confirmAsked)
        {
            return true;
        }

        if (whatIf)
        {
            return ShouldProcess(target, action);
        }

        if (WouldConfirm() && !Interaction.IsInteractive(this))
        {
            throw new PassManException(
                ErrorIds.InteractiveInputRequired,
                PassManErrorKind.InvalidOperation,
                $"{MyInvocation.MyCommand.Name} asks for confirmation, and this session cannot prompt. Add "
                    + (HasForce ? "-Force or " : string.Empty) + "-Confirm:$false to go ahead without asking.",
                target);
        }

        return ShouldProcess(target, action);
    }

    /// <summary>
    /// The value of a switch that is on unless turned off, as -ChangeOnTarget is: whether it was
    /// given decides, not its value alone.
    /// </summary>
    protected bool OnUnlessTurnedOff(string name, SwitchParameter value) =>
        !MyInvocation.BoundParameters.ContainsKey(name) || value;

    /// <summary>
    /// Writes one finished item of a parallel run, on the pipeline thread: its result through
    /// <paramref name="write"/>, or its error record. Returns true for a result, false for an
    /// error, null for an item the run stopped before it started. Anything but a PassMan error
    /// is a fault of PassMan's and ends the command.
    /// </summary>
    protected bool? WriteOutcome<TItem, TResult>(ParallelOutcome<TItem, TResult> outcome, Action<TResult> write)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(write);
        switch (outcome.Error)
        {
            case null:
                write(outcome.Result!);
                return true;
            case PassManException error:
                WriteError(error);
                return false;
            case OperationCanceledException:
                return null;
            default:
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(outcome.Error);
                return null;
        }
    }

    /// <summary>Shows how far a parallel run got: done of queued, and the failures.</summary>
    protected void WriteRunProgress(int id, string activity, int done, int queued, int failed) =>
        WriteProgress(new ProgressRecord(id, activity, $"{done} of {queued} done, {failed} failed")
        {
            PercentComplete = queued == 0 ? 0 : (int)(100L * done / queued),
        });

    /// <summary>Whether the command runs under -WhatIf, given or from $WhatIfPreference.</summary>
    protected bool IsWhatIf => MyInvocation.BoundParameters.TryGetValue("WhatIf", out var value)
        ? ((SwitchParameter)value).IsPresent
        : SessionState.PSVariable.GetValue("WhatIfPreference") is true or SwitchParameter { IsPresent: true };

    private bool HasForce => MyInvocation.MyCommand.Parameters.ContainsKey("Force");

    /// <summary>Whether ShouldProcess would ask: -Confirm given, or the impact reaching $ConfirmPreference.</summary>
    private bool WouldConfirm()
    {
        if (MyInvocation.BoundParameters.TryGetValue("Confirm", out var confirm))
        {
            return ((SwitchParameter)confirm).IsPresent;
        }

        var attribute = (CmdletAttribute?)Attribute.GetCustomAttribute(GetType(), typeof(CmdletAttribute));
        var impact = attribute?.ConfirmImpact ?? ConfirmImpact.Medium;
        var preference = SessionState.PSVariable.GetValue("ConfirmPreference") is ConfirmImpact set
            ? set
            : ConfirmImpact.High;
        return preference != ConfirmImpact.None && impact >= preference;
    }

    /// <summary>
    /// Generates an SSH key off the pipeline thread, writing progress meanwhile: a large RSA key
    /// takes seconds, and the host may only be called from this thread.
    /// </summary>
    internal Keys.SshKey GenerateKey(string keyType, int rsaBits, string comment, string activity, string status)
    {
        WriteVerbose($"{status}.");
        var generation = Task.Run(() => Keys.SshKey.Generate(keyType, rsaBits, comment));
        var progress = new ProgressRecord(2, activity, status) { PercentComplete = -1 };
        while (!generation.Wait(TimeSpan.FromMilliseconds(250)))
        {
            WriteProgress(progress);
        }

        return generation.GetAwaiter().GetResult();
    }

    /// <summary>Runs one step; a PassMan error becomes this input's error record, and the result false.</summary>
    protected bool TryRun(Action step)
    {
        try
        {
            step();
            return true;
        }
        catch (PassManException e)
        {
            WriteError(e);
            return false;
        }
    }

    /// <summary>
    /// Writes the results of a batch in input order: each value to the pipeline, each failure as
    /// that item's error record.
    /// </summary>
    internal void WriteResults<TItem, TResult>(
        IReadOnlyList<Model.BatchResult<TResult>> results,
        IReadOnlyList<TItem> items,
        Func<TItem, object> describe)
    {
        for (var i = 0; i < results.Count; i++)
        {
            if (results[i].Error is { } error)
            {
                WriteError(error.Target is null
                    ? new PassManException(error.ErrorId, error.Kind, error.Message, describe(items[i]), error)
                    : error);
            }
            else
            {
                WriteObject(results[i].Value);
            }
        }
    }

    /// <summary>An empty string, as an empty CSV cell gives, means the value is not set.</summary>
    protected static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    internal static ErrorRecord ToErrorRecord(PassManException error) =>
        new(error, error.ErrorId, Category(error.Kind), error.Target);

    private static ErrorCategory Category(PassManErrorKind kind) => kind switch
    {
        PassManErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
        PassManErrorKind.NotFound => ErrorCategory.ObjectNotFound,
        PassManErrorKind.AlreadyExists => ErrorCategory.ResourceExists,
        PassManErrorKind.AuthenticationFailed => ErrorCategory.AuthenticationError,
        PassManErrorKind.InvalidData => ErrorCategory.InvalidData,
        PassManErrorKind.Security => ErrorCategory.SecurityError,
        PassManErrorKind.InvalidOperation => ErrorCategory.InvalidOperation,
        PassManErrorKind.ResourceUnavailable => ErrorCategory.ResourceUnavailable,
        _ => ErrorCategory.NotSpecified,
    };

    private static bool SamePath(string left, string right) => VaultLocation.SamePath(left, right);
}
