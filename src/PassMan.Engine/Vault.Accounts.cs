using System;
using System.Collections.Generic;
using System.Linq;
using PassMan.Crypto;
using PassMan.Model;
using PassMan.Storage;

namespace PassMan;

/// <summary>Accounts: user names on targets, with their credentials.</summary>
public sealed partial class Vault
{
    /// <summary>Creates an account; with a password, its first password credential (status Unknown).</summary>
    public Account NewAccount(AccountSpec spec) => Change(() => CreateAccount(spec));

    /// <summary>
    /// Creates many accounts in one transaction, in order, so a later item may name an earlier one
    /// as its reconcile account; each result is the account or its error.
    /// </summary>
    public IReadOnlyList<BatchResult<Account>> NewAccounts(IReadOnlyList<AccountSpec> specs) =>
        Batch(specs, CreateAccount);

    /// <summary>Streams the accounts that match the filter, in target and user-name order.</summary>
    public IEnumerable<Account> GetAccounts(
        string? target = null,
        string? userName = null,
        AccountStatus? status = null,
        Guid? id = null)
    {
        var filter = new AccountFilter(
            target is null ? null : NamePattern.Parse(target),
            userName is null ? null : NamePattern.Parse(userName),
            status,
            id);
        return _store.ListAccounts(filter).Select(ToAccount);
    }

    /// <summary>Finds one account; fails with AccountNotFound.</summary>
    public Account GetAccount(AccountRef account)
    {
        var record = RequireAccount(account);
        return ToAccount(_store.FindAccountView(record.Id)!);
    }

    /// <summary>Changes an account's policy, reconcile account or description.</summary>
    public Account SetAccount(AccountRef account, AccountChange change) => Change(() =>
    {
        var current = RequireAccount(account);
        var updated = current with
        {
            PolicyId = change.Policy switch
            {
                null => current.PolicyId,
                "" => null,
                var name => PolicyIdFor(name),
            },
            ReconcileAccountId = change.ReconcileAccount switch
            {
                null => current.ReconcileAccountId,
                "" => null,
                var name => ReconcileFor(current.TargetId, current.UserName, name).Id,
            },
            Description = change.Description is null
                ? current.Description
                : EmptyToNull(Names.RequireDescription(change.Description)),
            ModifiedUtc = DateTimeOffset.UtcNow,
        };

        _store.UpdateAccount(updated);
        var view = _store.FindAccountView(updated.Id)!;
        Audit(AuditActions.AccountChanged, view.TargetName, view.Account.UserName, DescribeChange(change));
        return ToAccount(view);
    });

    /// <summary>
    /// Removes an account and its credentials; its audit entries stay. An account that others use
    /// as their reconcile account is removed only with <paramref name="force"/>, which unlinks them.
    /// </summary>
    public void RemoveAccount(AccountRef account, bool force) => Change(() =>
    {
        var record = RequireAccount(account);
        var target = TargetNameOf(record);
        var dependents = _store.CountReconcileDependents(record.Id);
        if (dependents > 0 && !force)
        {
            throw new PassManException(
                ErrorIds.AccountInUse,
                PassManErrorKind.InvalidOperation,
                $"{target}/{record.UserName} is the reconcile account of {dependents} other account(s). "
                    + "Add -Force to remove it and unlink them.",
                $"{target}/{record.UserName}");
        }

        foreach (var dependent in _store.ListAccounts(new AccountFilter(TargetId: record.TargetId))
            .Where(view => view.Account.ReconcileAccountId == record.Id))
        {
            var unlinked = dependent.Account with { ReconcileAccountId = null, ModifiedUtc = DateTimeOffset.UtcNow };
            _store.UpdateAccount(unlinked);
        }

        _store.DeleteAccount(record.Id);
        Audit(AuditActions.AccountRemoved, target, record.UserName);
    });

    /// <summary>
    /// Encrypts and stores a new password or PIN of an account, with status Unknown (a PIN has
    /// none); returns the credential's id. An account holds one of each type.
    /// </summary>
    public Guid AddCredential(
        AccountRef account,
        CredentialType type,
        string? keyType,
        ReadOnlySpan<byte> secret,
        AccountStatus status = AccountStatus.Unknown)
    {
        var bytes = new SecretBuffer(secret);
        try
        {
            return Change(() => StoreNewCredential(account, type, keyType, bytes, key: null, status));
        }
        finally
        {
            bytes.Dispose();
        }
    }

    /// <summary>
    /// Stores an SSH key as a new credential of an account, as an OpenSSH private key file with its
    /// public key and fingerprint beside it; an account holds at most one key of each type.
    /// </summary>
    public Guid AddSshKey(AccountRef account, Keys.SshKey key, AccountStatus status = AccountStatus.Unknown)
    {
        using var file = key.ToOpenSshPrivateKey();
        return Change(() => StoreNewCredential(account, CredentialType.SshKey, key.KeyType, file, key, status));
    }

    /// <summary>
    /// Adds many credentials in one transaction; each result is the credential's id or its error.
    /// </summary>
    public IReadOnlyList<BatchResult<Guid>> AddCredentials(IReadOnlyList<NewCredentialRequest> requests) =>
        Batch(requests, request =>
        {
            if (request.Key is { } key)
            {
                using var file = key.ToOpenSshPrivateKey();
                return StoreNewCredential(
                    request.Account, CredentialType.SshKey, key.KeyType, file, key, request.Status);
            }

            var value = request.Value ?? throw new ArgumentException("A credential needs a value.", nameof(requests));
            return StoreNewCredential(request.Account, request.Type, null, value, null, request.Status);
        });

    /// <summary>The name of the account's target and its policy's settings.</summary>
    public (string Target, string UserName, PolicySettings Policy) GetAccountContext(AccountRef account)
    {
        var record = RequireAccount(account);
        var target = TargetNameOf(record);
        return (target, record.UserName, PolicyOf(record).Settings);
    }

    /// <summary>The credential types an account holds, SSH keys with their key type.</summary>
    public IReadOnlyList<(CredentialType Type, string? KeyType)> GetCredentialTypes(AccountRef account) =>
        _store.ListCredentials(RequireAccount(account).Id).Select(c => (c.Type, c.KeyType)).ToList();

    private Guid StoreNewCredential(
        AccountRef account,
        CredentialType type,
        string? keyType,
        SecretBuffer secret,
        Keys.SshKey? key,
        AccountStatus status)
    {
        var record = RequireAccount(account);
        var target = TargetNameOf(record);
        if (key is not null)
        {
            RequireStrongEnough($"{target}/{record.UserName}", key);
        }

        if (_store.ListCredentials(record.Id).Any(c => c.Type == type && c.KeyType == keyType))
        {
            var held = keyType is null ? $"a {type}" : $"an {keyType} key";
            throw new PassManException(
                ErrorIds.CredentialExists,
                PassManErrorKind.AlreadyExists,
                $"{target}/{record.UserName} holds {held} already. Reset-PMCredential changes it.",
                $"{target}/{record.UserName}");
        }

        var id = StoreCredential(record, type, keyType, secret.Span, key, status);
        var what = keyType is null ? type.ToString() : $"{type} {keyType}";
        Audit(AuditActions.CredentialAdded, target, record.UserName, what);
        return id;
    }

    private Account CreateAccount(AccountSpec spec)
    {
        var target = RequireTarget(spec.Target);
        var userName = Names.Require(spec.UserName, "user");
        if (_store.FindAccount(target.Id, Names.Fold(userName)) is not null)
        {
            throw new PassManException(
                ErrorIds.AccountExists,
                PassManErrorKind.AlreadyExists,
                $"The target '{target.Name}' has an account '{userName}' already (user names are compared without "
                    + "regard to case).",
                $"{target.Name}/{userName}");
        }

        var now = DateTimeOffset.UtcNow;
        var policy = spec.Policy is null ? null : RequirePolicy(spec.Policy);
        var reconcile = spec.ReconcileAccount is null ? null : ReconcileFor(target.Id, userName, spec.ReconcileAccount);
        var record = new AccountRecord(
            Guid.NewGuid(),
            target.Id,
            userName,
            policy?.Id,
            reconcile?.Id,
            EmptyToNull(Names.RequireDescription(spec.Description)),
            AccountStatus.Unknown,
            now,
            now);
        _store.InsertAccount(record);
        if (spec.Password is { } password)
        {
            StoreCredential(record, CredentialType.Password, keyType: null, password.Span);
        }

        Audit(AuditActions.AccountCreated, target.Name, userName, spec.Password is null ? null : "with a password");

        // Built from what was just written, rather than read back: onboarding makes thousands of these.
        return ToAccount(new AccountView(
            record,
            target.Name,
            policy?.Name ?? Policy.DefaultName,
            reconcile?.UserName,
            spec.Password is null ? string.Empty : nameof(CredentialType.Password),
            spec.Password is null ? null : now,
            LastVerifiedUtc: null));
    }

    private Guid StoreCredential(
        AccountRecord account,
        CredentialType type,
        string? keyType,
        ReadOnlySpan<byte> secret,
        Keys.SshKey? key = null,
        AccountStatus status = AccountStatus.Unknown)
    {
        if (type == CredentialType.SshKey)
        {
            SshKeyTypes.Require(keyType ?? string.Empty);
        }
        else if (keyType is not null)
        {
            throw new PassManException(
                ErrorIds.InvalidArgument,
                PassManErrorKind.InvalidArgument,
                $"A {type} has no key type.",
                keyType);
        }

        var now = DateTimeOffset.UtcNow;
        var id = Guid.NewGuid();
        var stored = type == CredentialType.Pin ? (AccountStatus?)null : status;
        var mac = ValueMac(type, keyType, key is null ? secret : key.PublicBlob);
        _store.InsertCredential(new CredentialRecord(
            id,
            account.Id,
            type,
            keyType,
            SecretEnvelope.Seal(RequireKeys(), id, SecretField(account.Id, type, keyType), secret),
            stored,
            now,
            now,
            VerifiedUtc: null,
            key?.PublicKey,
            key?.Fingerprint,
            Version: 1,
            mac,
            s_osUser.Value));
        _store.UpdateAccount(account with { Status = StatusOf(_store.ListCredentials(account.Id)), ModifiedUtc = now });
        return id;
    }

    /// <summary>
    /// An account is NotInSync if any credential living on the target is, InSync if all are, and
    /// Unknown otherwise; a PIN, in the vault only, does not count.
    /// </summary>
    private static AccountStatus StatusOf(IReadOnlyList<CredentialRecord> credentials)
    {
        var onTarget = credentials.Where(c => c.Status is not null).Select(c => c.Status!.Value).ToList();
        if (onTarget.Contains(AccountStatus.NotInSync))
        {
            return AccountStatus.NotInSync;
        }

        return onTarget.Count > 0 && onTarget.All(s => s == AccountStatus.InSync)
            ? AccountStatus.InSync
            : AccountStatus.Unknown;
    }

    private AccountRecord RequireAccount(AccountRef account)
    {
        AccountRecord? record;
        if (account.Id is { } id)
        {
            record = _store.FindAccount(id);
        }
        else
        {
            var target = RequireTarget(account.Target ?? string.Empty);
            record = _store.FindAccount(target.Id, Names.Fold(Names.Require(account.UserName, "user")));
        }

        return record ?? throw new PassManException(
            ErrorIds.AccountNotFound,
            PassManErrorKind.NotFound,
            $"The vault has no account {account}.",
            account.ToString());
    }

    private Guid PolicyIdFor(string name) => RequirePolicy(name).Id;

    private string TargetNameOf(AccountRecord account) =>
        _store.FindTarget(account.TargetId)?.Name ?? throw new PassManException(
            ErrorIds.VaultCorrupt,
            PassManErrorKind.InvalidData,
            $"The account {account.UserName} names a target the vault does not hold.",
            account.UserName);

    private AccountRecord ReconcileFor(Guid targetId, string userName, string reconcileUserName)
    {
        var reconcileKey = Names.Fold(Names.Require(reconcileUserName, "reconcile account"));
        var reconcile = reconcileKey == Names.Fold(userName) ? null : _store.FindAccount(targetId, reconcileKey);
        return reconcile ?? throw new PassManException(
            ErrorIds.ReconcileAccountNotFound,
            PassManErrorKind.NotFound,
            $"The reconcile account '{reconcileUserName}' must be another account on the same target, created first.",
            reconcileUserName);
    }

    private static string DescribeChange(AccountChange change)
    {
        var parts = new List<string>();
        if (change.Policy is not null)
        {
            parts.Add(change.Policy.Length == 0 ? "policy -> Default" : $"policy -> {change.Policy}");
        }

        if (change.ReconcileAccount is not null)
        {
            parts.Add(change.ReconcileAccount.Length == 0
                ? "reconcile account removed"
                : $"reconcile account -> {change.ReconcileAccount}");
        }

        if (change.Description is not null)
        {
            parts.Add("description");
        }

        return parts.Count == 0 ? "nothing" : string.Join("; ", parts);
    }

    private static Account ToAccount(AccountView view) => new(
        view.Account.Id,
        view.Account.TargetId,
        view.TargetName,
        view.Account.UserName,
        view.Account.Status,
        view.Credentials,
        view.PolicyName,
        view.ReconcileUserName,
        view.Account.Description,
        view.LastChangedUtc,
        view.LastVerifiedUtc,
        view.Account.CreatedUtc,
        view.HasPending);
}
