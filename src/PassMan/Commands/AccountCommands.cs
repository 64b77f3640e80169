using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Security;
using System.Text;
using PassMan.Commands.Hosting;
using PassMan.Crypto;
using PassMan.Model;

namespace PassMan.Commands;

/// <summary>
/// <para type="synopsis">Adds accounts to targets, one at a time or by the thousand from Import-Csv.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "PMAccount", SupportsShouldProcess = true)]
[OutputType(typeof(Account))]
public sealed class NewPMAccountCommand : PassManCmdlet
{
    private readonly BatchBuffer<AccountSpec> _batch;

    /// <summary>Creates the command.</summary>
    public NewPMAccountCommand() => _batch = new(WriteBatch, spec => spec.Password?.Dispose());

    /// <summary>The target the account lives on.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(TargetNameCompleter))]
    public string Target { get; set; } = string.Empty;

    /// <summary>The user name on the target.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    public string UserName { get; set; } = string.Empty;

    /// <summary>The account's current password, stored as its first password credential.</summary>
    [Parameter]
    public SecureString? Password { get; set; }

    /// <summary>The policy that generates the account's credentials; Default when left out.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(PolicyNameCompleter))]
    public string? Policy { get; set; }

    /// <summary>A privileged account on the same target that can reset this one.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(UserNameCompleter))]
    public string? ReconcileAccount { get; set; }

    /// <summary>Free text about the account.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Description { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord() => Run(() =>
    {
        var action = Password is null ? "Create account" : "Create account with its password";
        if (!ShouldChange($"{Target}/{UserName}", action))
        {
            return;
        }

        var spec = new AccountSpec(
            Target,
            UserName,
            NullIfEmpty(Policy),
            NullIfEmpty(ReconcileAccount),
            NullIfEmpty(Description),
            Password is null ? null : SecretInput.ToUtf8(Password, CredentialType.Password, "-Password"));
        _batch.Add(spec);
    });

    /// <inheritdoc/>
    protected override void EndProcessing() => _batch.Flush();

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _batch.Dispose();
        }

        base.Dispose(disposing);
    }

    private void WriteBatch(IReadOnlyList<AccountSpec> specs)
    {
        WriteVerbose($"Writing {specs.Count} account(s) in one transaction.");
        Run(() => WriteResults(ResolveVault().NewAccounts(specs), specs, spec => $"{spec.Target}/{spec.UserName}"));
    }
}

/// <summary>
/// <para type="synopsis">Lists accounts, filtered by target, user name and status.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "PMAccount", DefaultParameterSetName = FilterSet)]
[OutputType(typeof(Account))]
public sealed class GetPMAccountCommand : PassManCmdlet
{
    private const string FilterSet = "Filter";
    private const string IdSet = "Id";

    /// <summary>Target names or wildcard patterns; targets from Get-PMTarget bind here.</summary>
    [Parameter(
        ParameterSetName = FilterSet,
        Position = 0,
        ValueFromPipeline = true,
        ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(TargetNameCompleter))]
    public string[]? Target { get; set; }

    /// <summary>User names or wildcard patterns.</summary>
    [Parameter(ParameterSetName = FilterSet, Position = 1, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(UserNameCompleter))]
    public string[]? UserName { get; set; }

    /// <summary>Only accounts with this status.</summary>
    [Parameter(ParameterSetName = FilterSet)]
    public AccountStatus? Status { get; set; }

    /// <summary>Only accounts with a change on the target whose outcome is not known yet.</summary>
    [Parameter(ParameterSetName = FilterSet)]
    public SwitchParameter PendingChange { get; set; }

    /// <summary>Accounts by id.</summary>
    [Parameter(ParameterSetName = IdSet, Mandatory = true)]
    public Guid[] Id { get; set; } = [];

    /// <inheritdoc/>
    protected override void ProcessRecord() => Run(() =>
    {
        var vault = ResolveVault();
        if (ParameterSetName == IdSet)
        {
            foreach (var id in Id)
            {
                TryRun(() => WriteObject(vault.GetAccount(new AccountRef(Id: id))));
            }

            return;
        }

        var targets = Target ?? [null!];
        var users = UserName ?? [null!];

        // With several patterns one account can match twice; it is written once.
        var seen = targets.Length * users.Length > 1 ? new HashSet<Guid>() : null;
        foreach (var target in targets)
        {
            if (target is not null && !WildcardPattern.ContainsWildcardCharacters(target)
                && !TryRun(() => vault.GetTarget(target)))
            {
                continue;
            }

            foreach (var user in users)
            {
                var found = false;
                foreach (var account in vault.GetAccounts(target, user, Status))
                {
                    found = true;
                    if (PendingChange && !account.PendingChange)
                    {
                        continue;
                    }

                    if (seen?.Add(account.Id) != false)
                    {
                        WriteObject(account);
                    }
                }

                if (!found && user is not null && !WildcardPattern.ContainsWildcardCharacters(user) && Status is null)
                {
                    WriteError(new PassManException(
                        ErrorIds.AccountNotFound,
                        PassManErrorKind.NotFound,
                        $"No account '{user}' on {(target is null ? "any target" : $"'{target}'")}.",
                        user));
                }
            }
        }
    });
}

/// <summary>Shared by Set-PMAccount and Remove-PMAccount: which account, by object, by name or by id.</summary>
public abstract class AccountIdentityCmdlet : PassManCmdlet
{
    /// <summary>The parameter set of an account from the pipeline.</summary>
    protected const string ObjectSet = "Object";

    /// <summary>The parameter set of target and user name.</summary>
    protected const string NameSet = "Name";

    /// <summary>The parameter set of an account id.</summary>
    protected const string IdSet = "Id";

    /// <summary>An account from Get-PMAccount.</summary>
    [Parameter(ParameterSetName = ObjectSet, Mandatory = true, ValueFromPipeline = true)]
    public Account? InputObject { get; set; }

    /// <summary>The account's target.</summary>
    [Parameter(ParameterSetName = NameSet, Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(TargetNameCompleter))]
    public string Target { get; set; } = string.Empty;

    /// <summary>The account's user name.</summary>
    [Parameter(ParameterSetName = NameSet, Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(UserNameCompleter))]
    public string UserName { get; set; } = string.Empty;

    /// <summary>The account's id.</summary>
    [Parameter(ParameterSetName = IdSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
    public Guid Id { get; set; }

    /// <summary>The account named by the bound parameters.</summary>
    protected AccountRef Identity => ParameterSetName switch
    {
        ObjectSet => new AccountRef(Id: InputObject!.Id),
        IdSet => new AccountRef(Id: Id),
        _ => new AccountRef(Target: Target, UserName: UserName),
    };
}

/// <summary>
/// <para type="synopsis">Changes an account's policy, reconcile account or description.</para>
/// </summary>
[Cmdlet(VerbsCommon.Set, "PMAccount", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium,
    DefaultParameterSetName = NameSet)]
[OutputType(typeof(Account))]
public sealed class SetPMAccountCommand : AccountIdentityCmdlet
{
    /// <summary>The new policy; an empty string returns the account to Default.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(PolicyNameCompleter))]
    public string? Policy { get; set; }

    /// <summary>The new reconcile account on the same target; an empty string removes it.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(UserNameCompleter))]
    public string? ReconcileAccount { get; set; }

    /// <summary>The new description; an empty string removes it.</summary>
    [Parameter]
    public string? Description { get; set; }

    /// <summary>Writes the changed account to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord() => Run(() =>
    {
        var vault = ResolveVault();
        var account = vault.GetAccount(Identity);
        if (!ShouldChange(account.ToString(), "Change account"))
        {
            return;
        }

        var changed = vault.SetAccount(
            new AccountRef(Id: account.Id),
            new AccountChange(Policy, ReconcileAccount, Description));
        if (PassThru)
        {
            WriteObject(changed);
        }
    });
}

/// <summary>
/// <para type="synopsis">Removes accounts and their credentials; the audit log keeps their history.</para>
/// </summary>
[Cmdlet(VerbsCommon.Remove, "PMAccount", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High,
    DefaultParameterSetName = NameSet)]
[OutputType(typeof(void))]
public sealed class RemovePMAccountCommand : AccountIdentityCmdlet
{
    /// <summary>Removes an account that others use as their reconcile account, unlinking them.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord() => Run(() =>
    {
        var vault = ResolveVault();
        var account = vault.GetAccount(Identity);
        var what = string.IsNullOrEmpty(account.Credentials)
            ? "Remove account"
            : $"Remove account and its credentials ({account.Credentials})";
        if (ShouldChange(account.ToString(), what))
        {
            vault.RemoveAccount(new AccountRef(Id: account.Id), Force);
            WriteVerbose($"{account}: removed.");
        }
    });
}
