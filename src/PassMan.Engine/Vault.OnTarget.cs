using System;
using System.Collections.Generic;
using System.Linq;
using PassMan.Crypto;
using PassMan.Keys;
using PassMan.Linux;
using PassMan.Model;
using PassMan.Ssh;
using PassMan.Storage;

namespace PassMan;

/// <summary>
/// Changes on the target and verification: the new value is durable in the vault, as pending,
/// before the target is touched; it becomes current only once it has logged in.
/// </summary>
public sealed partial class Vault
{
    /// <summary>
    /// A test's way to make a change fail at one of its steps, as a crash would: called with the
    /// step's name ("before-pending", "after-pending", "after-change", "after-verify",
    /// "after-commit", and "before-login" when a verification is about to try a credential);
    /// whatever it throws ends the change there. Null in the product.
    /// </summary>
    internal Action<string>? Fault { get; set; }

    /// <summary>
    /// The connections the items of a bulk run share (set by <see cref="ParallelRun{TItem, TResult}"/>
    /// on its workers' vaults); null outside a run, where each change connects for itself.
    /// </summary>
    internal SharedSessions? Sessions { get; set; }

    /// <summary>
    /// Sets a new password on the target and in the vault. The account changes it itself with
    /// passwd, logged in with its current password; the reconcile account sets it with sudo
    /// chpasswd when <paramref name="useReconcile"/> is set, when the credential is NotInSync, or
    /// when the current password does not log in. The new password then has to log in before
    /// the vault calls it current and InSync.
    /// </summary>
    public ResetResult ResetOnTarget(ResetRequest request, bool useReconcile)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var secret = ValueOf(request);
        OnTargetPlan plan;
        byte[] mac;

        // Each turn again means that a change made elsewhere ended meanwhile; they are finite.
        do
        {
            plan = PlanOnTarget(request, useReconcile);
            mac = RequireUnused(plan.Account, plan.Credential, request, secret, plan.Name);
            LinuxAccounts.RequireTransferable(secret, plan.Name);
            Fault?.Invoke("before-pending");
        }
        while (!StagePending(plan.Credential, secret, plan.Name, "password"));

        Fault?.Invoke("after-pending");
        string how;
        string? unknown;
        try
        {
            (how, unknown) = ChangePassword(plan, secret);
        }
        catch (PassManException failure)
        {
            // Refused before or by the target: the target still has the old value. (An outcome
            // that is not known comes back as a reason, never as an error, and keeps the value.)
            Change(() =>
            {
                _store.WritePending(plan.Credential.Id, null);
                Audit(
                    AuditActions.CredentialResetFailed,
                    plan.Target.Name,
                    plan.Account.UserName,
                    "password, on target; nothing changed",
                    outcome: "Failure",
                    errorId: failure.ErrorId);
            });
            throw;
        }

        Fault?.Invoke("after-change");
        var said = unknown is null ? how : $"{how}, outcome unknown: {unknown}";
        return ConfirmChange(plan, secret, mac, request.Generated, said);
    }

    /// <summary>
    /// What <see cref="ResetOnTarget"/> would do, checked for real and changing nothing: the host
    /// key, and that the account's current password, or its reconcile account, logs in.
    /// </summary>
    public string WhatIfOnTarget(ResetRequest request, bool useReconcile)
    {
        ArgumentNullException.ThrowIfNull(request);
        var plan = PlanOnTarget(request, useReconcile, recordPins: false);
        if (!plan.UseReconcile)
        {
            using var current = OpenCurrent(plan.Credential);
            if (TryLogin(plan.Endpoint, plan.Pins, SshLogin.WithPassword(plan.Account.UserName, current)))
            {
                return "passwd, as the account itself (its current password logs in)";
            }
        }

        var reconcile = RequireReconcile(plan);
        using var login = LoginFor(reconcile);
        using (SshConnector.Connect(plan.Endpoint, plan.Pins, login.Login, SshOptions))
        {
            return $"sudo chpasswd, through the reconcile account {reconcile.UserName} (it logs in)";
        }
    }

    /// <summary>
    /// Tries each credential of the account that lives on the target, once, and records InSync or
    /// NotInSync and the time. A credential with a pending change is resolved first: whichever of
    /// the pending and the current value logs in becomes current.
    /// </summary>
    public VerifyResult VerifyCredentials(AccountRef account, CredentialType? type)
    {
        var record = RequireAccount(account);
        var target = _store.FindTarget(record.TargetId)!;
        var endpoint = EndpointOf(target);
        var pins = PinsFor(target);
        var results = new List<CredentialCheck>();
        foreach (var credential in _store.ListCredentials(record.Id)
            .Where(c => c.Status is not null && (type is null || c.Type == type)))
        {
            results.Add(Verify(record, target, endpoint, pins, credential));
        }

        if (results.Count == 0)
        {
            throw new PassManException(
                ErrorIds.CredentialNotFound,
                PassManErrorKind.NotFound,
                $"{target.Name}/{record.UserName} holds no credential that lives on the target"
                    + (type is null ? "." : $" of the type {type}."),
                $"{target.Name}/{record.UserName}");
        }

        var after = _store.FindAccount(record.Id)!;
        return new VerifyResult(target.Name, record.UserName, after.Status, results);
    }

    /// <summary>
    /// Verifies the credential a vault-only reset has just stored (the way back to InSync with a
    /// value the admin knows works), and gives <paramref name="result"/> the status it earned.
    /// </summary>
    public void VerifyReset(ResetResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var type = Enum.Parse<CredentialType>(result.CredentialType);
        var check = VerifyCredentials(new AccountRef(Target: result.Target, UserName: result.UserName), type);
        result.StatusAfter = check.Credentials.FirstOrDefault(c => c.KeyType == result.KeyType)?.Status;
    }

    private CredentialCheck Verify(
        AccountRecord record,
        TargetRecord target,
        SshEndpoint endpoint,
        IReadOnlyList<HostKeyPin> pins,
        CredentialRecord credential)
    {
        var detail = (string?)null;
        bool works;
        using var pending = credential.HasPending ? OpenPending(credential) : null;
        Fault?.Invoke("before-login");
        if (pending is not null)
        {
            // A change whose end nobody saw: the value that logs in is the one the target has. A
            // change still under way in another process looks the same from here; if this resolves
            // it first, that change finds its value current and does not commit it again, and the
            // audit log has the resolution from this verification rather than the change.
            var login = LoginOf(record, credential, pending, out var key);
            using var pendingKey = key;
            if (TryLogin(endpoint, pins, login))
            {
                var mac = ValueMac(credential.Type, credential.KeyType, key is null ? pending.Span : key.PublicBlob);
                var now = DateTimeOffset.UtcNow;
                var resolved = Change(() =>
                {
                    if (!IsUnchanged(credential))
                    {
                        return false;
                    }

                    var updated = Commit(_store.FindAccount(record.Id)!, _store.FindCredential(credential.Id)!,
                        pending.Span, key, mac, AccountStatus.InSync, now);
                    _store.WritePending(credential.Id, null);
                    Audit(AuditActions.CredentialReset, target.Name, record.UserName,
                        $"{Describe(credential.Type, credential.KeyType)}, pending value resolved: it logs in, "
                            + $"version {updated.Version}");
                    return true;
                });
                return resolved
                    ? new CredentialCheck(credential.Type, credential.KeyType, AccountStatus.InSync, now,
                        "the pending value logs in and is now current")
                    : VerifyAgain(record, target, endpoint, pins, credential);
            }

            detail = "the pending value does not log in";
        }

        using (var current = OpenCurrent(credential))
        {
            works = TryLogin(endpoint, pins, LoginOf(record, credential, current, out var key));
            key?.Dispose();
        }

        // A pending value goes only once the current one is shown to work: while neither logs in,
        // either may be what the target has (an account that cannot log in by password, say).
        var keepPending = pending is not null && !works;
        if (pending is not null)
        {
            detail += works ? "; the current one does, and the pending one was dropped"
                : "; neither does the current one, and both stay in the vault";
        }

        var status = works ? AccountStatus.InSync : AccountStatus.NotInSync;
        var verified = DateTimeOffset.UtcNow;
        var recorded = Change(() =>
        {
            if (!IsUnchanged(credential))
            {
                return false;
            }

            var fresh = _store.FindCredential(credential.Id)!;
            _store.UpdateCredential(fresh with { Status = status, VerifiedUtc = verified });
            if (!keepPending)
            {
                _store.WritePending(credential.Id, null);
            }

            UpdateAccountStatus(_store.FindAccount(record.Id)!, verified);
            Audit(AuditActions.CredentialVerified, target.Name, record.UserName,
                $"{Describe(credential.Type, credential.KeyType)}: {status}" + (detail is null ? "" : $"; {detail}"));
            return true;
        });
        return recorded
            ? new CredentialCheck(credential.Type, credential.KeyType, status, verified, detail)
            : VerifyAgain(record, target, endpoint, pins, credential);
    }

    /// <summary>
    /// Whether the credential, read again inside the write transaction, still has the value and
    /// the pending change that a verification tried: another process may have changed or resolved
    /// it since, and then what the logins found says nothing about what the vault holds now.
    /// </summary>
    private bool IsUnchanged(CredentialRecord credential) =>
        _store.FindCredential(credential.Id) is { } now
            && now.Version == credential.Version
            && now.HasPending == credential.HasPending;

    /// <summary>Verifies a credential again as another process left it (each time, a change of theirs ended).</summary>
    private CredentialCheck VerifyAgain(
        AccountRecord record,
        TargetRecord target,
        SshEndpoint endpoint,
        IReadOnlyList<HostKeyPin> pins,
        CredentialRecord credential)
    {
        var now = _store.FindCredential(credential.Id) ?? throw new PassManException(
            ErrorIds.CredentialNotFound,
            PassManErrorKind.NotFound,
            $"{target.Name}/{record.UserName}: its {Describe(credential.Type, credential.KeyType)} was removed "
                + "while it was being verified.",
            $"{target.Name}/{record.UserName}");
        return Verify(record, target, endpoint, pins, now);
    }

    private OnTargetPlan PlanOnTarget(ResetRequest request, bool useReconcile, bool recordPins = true)
    {
        var (record, credential, targetName) = RequireCredential(request.Account, request.Type, request.KeyType);
        var name = $"{targetName}/{record.UserName}";
        if (request.Type != CredentialType.Password)
        {
            throw ErrorIds.TargetChangeRefused(name, Describe(request.Type, credential.KeyType));
        }

        if (credential.HasPending)
        {
            throw ErrorIds.Pending(name, "password");
        }

        LinuxAccounts.RequireUserName(record.UserName);
        var target = _store.FindTarget(record.TargetId)!;
        var reconcile = useReconcile || credential.Status == AccountStatus.NotInSync;
        var plan = new OnTargetPlan(record, credential, target, EndpointOf(target), [], name, reconcile);
        if (reconcile)
        {
            RequireReconcile(plan);
        }

        return plan with { Pins = PinsFor(target, recordPins) };
    }

    /// <summary>
    /// Invariant 1: makes the new value durable as pending before anything is sent to the target,
    /// and only if no other change of the credential is pending (PendingChange otherwise). False,
    /// with nothing written, when the credential is no longer the <paramref name="credential"/>
    /// the change was planned on: another process changed it since it was read, and the caller
    /// plans again from what that change left (its login, its version, its history).
    /// </summary>
    private bool StagePending(CredentialRecord credential, SecretBuffer value, string name, string what) =>
        Change(() =>
        {
            var now = _store.FindCredential(credential.Id);
            if (now is null || now.Version != credential.Version)
            {
                return false;
            }

            var sealedValue = SecretEnvelope.Seal(RequireKeys(), credential.Id, PendingField(credential), value.Span);
            if (!_store.WritePending(credential.Id, sealedValue))
            {
                throw ErrorIds.Pending(name, what);
            }

            return true;
        });

    /// <summary>
    /// Changes the password on the target; returns how, for the audit log, and the reason the
    /// outcome is not known, when it is not.
    /// </summary>
    private (string How, string? Unknown) ChangePassword(OnTargetPlan plan, SecretBuffer next)
    {
        if (!plan.UseReconcile)
        {
            using var current = OpenCurrent(plan.Credential);
            SshSession? session = null;
            try
            {
                session = SshConnector.Connect(
                    plan.Endpoint, plan.Pins, SshLogin.WithPassword(plan.Account.UserName, current), SshOptions);
            }
            catch (PassManException failure) when (failure.ErrorId == ErrorIds.LoginFailed
                && plan.Account.ReconcileAccountId is not null)
            {
                // The vault's password no longer opens the account: the reconcile account can.
                MarkNotInSync(plan.Account, plan.Credential);
            }
            catch (PassManException failure) when (failure.ErrorId == ErrorIds.LoginFailed)
            {
                MarkNotInSync(plan.Account, plan.Credential);
                throw new PassManException(
                    ErrorIds.ReconcileAccountRequired,
                    PassManErrorKind.InvalidOperation,
                    $"{plan.Name}: the vault's password does not log in (the account is now NotInSync), and it "
                        + "names no reconcile account to reset it through. Name one (Set-PMAccount -ReconcileAccount), "
                        + "or store the password that works with Reset-PMCredential -ChangeOnTarget:$false -Verify. "
                        + "Nothing was changed on the target.",
                    plan.Name,
                    failure);
            }

            if (session is not null)
            {
                using (session)
                {
                    return ("passwd as the account itself",
                        LinuxAccounts.ChangeOwnPassword(session, plan.Account.UserName, current, next));
                }
            }
        }

        var reconcile = RequireReconcile(plan);
        using var login = LoginFor(reconcile);
        using var rooted = ConnectReconcile(reconcile, plan.Endpoint, plan.Pins, login.Login);
        return ($"sudo chpasswd through the reconcile account {reconcile.UserName}",
            LinuxAccounts.SetPassword(rooted, reconcile.UserName, plan.Account.UserName, next, login.Password));
    }

    /// <summary>
    /// Logs in with the new value: if it works, it becomes current and InSync. If not, the old
    /// value is tried: if that works, the change did not happen and the pending value goes. If
    /// neither does, the pending value stays for the next operation to resolve.
    /// </summary>
    private ResetResult ConfirmChange(OnTargetPlan plan, SecretBuffer next, byte[] mac, bool generated, string how)
    {
        if (TryLogin(plan.Endpoint, plan.Pins, SshLogin.WithPassword(plan.Account.UserName, next)))
        {
            Fault?.Invoke("after-verify");
            var result = Change(() =>
            {
                var credential = _store.FindCredential(plan.Credential.Id)!;
                var account = _store.FindAccount(plan.Account.Id)!;
                if (credential.Version > plan.Credential.Version && credential.ValueMac is { } held
                    && held.AsSpan().SequenceEqual(mac))
                {
                    // A verification elsewhere saw this change's pending value log in and made it current.
                    return ResultOf(plan.Target.Name, account, plan.Credential, credential, changedOnTarget: true);
                }

                var updated = Commit(account, credential, next.Span, null, mac, AccountStatus.InSync,
                    DateTimeOffset.UtcNow);
                _store.WritePending(credential.Id, null);
                Audit(AuditActions.CredentialReset, plan.Target.Name, plan.Account.UserName,
                    $"password, {(generated ? "generated" : "given")}, on target by {how}, verified, "
                        + $"version {updated.Version}");
                return ResultOf(plan.Target.Name, account, plan.Credential, updated, changedOnTarget: true);
            });
            Fault?.Invoke("after-commit");
            return result;
        }

        using var current = OpenCurrent(plan.Credential);
        var oldWorks = TryLogin(plan.Endpoint, plan.Pins, SshLogin.WithPassword(plan.Account.UserName, current));
        Change(() =>
        {
            if (oldWorks)
            {
                _store.WritePending(plan.Credential.Id, null);
            }

            Audit(AuditActions.CredentialResetFailed, plan.Target.Name, plan.Account.UserName,
                $"password, on target by {how}; the new password does not log in, "
                    + (oldWorks
                        ? "the old one does: nothing changed"
                        : "nor does the old one: the new value stays pending"),
                outcome: "Failure",
                errorId: ErrorIds.ChangeUnconfirmed);
        });
        throw new PassManException(
            ErrorIds.ChangeUnconfirmed,
            PassManErrorKind.InvalidOperation,
            $"{plan.Name}: after the change ({how}) the new password does not log in. "
                + (oldWorks
                    ? "The old one still does, so the target is unchanged and the vault keeps it."
                    : "Neither does the old one. The vault keeps both, the new one as pending; Test-PMCredential "
                        + "tries them again and keeps whichever logs in."),
            plan.Name);
    }

    /// <summary>Records that a credential was just tried and the target refused it.</summary>
    private void MarkNotInSync(AccountRecord record, CredentialRecord credential) => Change(() =>
    {
        var now = DateTimeOffset.UtcNow;
        var fresh = _store.FindCredential(credential.Id)!;
        _store.UpdateCredential(fresh with { Status = AccountStatus.NotInSync, VerifiedUtc = now });
        UpdateAccountStatus(_store.FindAccount(record.Id)!, now);
    });

    private AccountRecord RequireReconcile(OnTargetPlan plan) =>
        RequireReconcile(plan.Account, plan.Name, because: null);

    /// <summary>
    /// The account's reconcile account; fails with ReconcileAccountRequired, saying
    /// <paramref name="because"/> (why it is needed), when it names none.
    /// </summary>
    private AccountRecord RequireReconcile(AccountRecord record, string name, string? because) =>
        (record.ReconcileAccountId is { } id ? _store.FindAccount(id) : null) ?? throw new PassManException(
            ErrorIds.ReconcileAccountRequired,
            PassManErrorKind.InvalidOperation,
            because is null
                ? $"{name}: the change needs the reconcile account, and the account names none. Name one with "
                    + "Set-PMAccount -ReconcileAccount. Nothing was changed."
                : $"{name}: {because}, and the account names no reconcile account. Name one with "
                    + "Set-PMAccount -ReconcileAccount. Nothing was changed.",
            name);

    /// <summary>
    /// How to log in as a reconcile account: with its password, which sudo may also ask for, or
    /// else with one of its SSH keys.
    /// </summary>
    private OwnedLogin LoginFor(AccountRecord reconcile)
    {
        var credentials = _store.ListCredentials(reconcile.Id);
        var name = $"{TargetNameOf(reconcile)}/{reconcile.UserName}";
        if (credentials.FirstOrDefault(c => c.Type == CredentialType.Password) is { } password)
        {
            var value = OpenCurrent(password);
            return new OwnedLogin(SshLogin.WithPassword(reconcile.UserName, value), value, null);
        }

        if (credentials.FirstOrDefault(c => c.Type == CredentialType.SshKey) is { } k)
        {
            using var file = OpenCurrent(k);
            var key = SshKeyReader.Read(file.Span, []);
            return new OwnedLogin(SshLogin.WithKey(reconcile.UserName, key), null, key);
        }

        throw new PassManException(
            ErrorIds.CredentialNotFound,
            PassManErrorKind.NotFound,
            $"The reconcile account {name} holds no password or SSH key to log in with.",
            name);
    }

    /// <summary>A session as a reconcile account; in a bulk run, the one the run's changes through it share.</summary>
    private SshSession ConnectReconcile(
        AccountRecord reconcile,
        SshEndpoint endpoint,
        IReadOnlyList<HostKeyPin> pins,
        SshLogin login)
    {
        SshSession Connect() => SshConnector.Connect(endpoint, pins, login, SshOptions);
        return Sessions is null
            ? Connect()
            : Sessions.Lend($"{reconcile.Id:D}@{endpoint.HostName}:{endpoint.Port}", Connect);
    }

    private static SshLogin LoginOf(
        AccountRecord record,
        CredentialRecord credential,
        SecretBuffer value,
        out SshKey? key)
    {
        if (credential.Type == CredentialType.SshKey)
        {
            key = SshKeyReader.Read(value.Span, []);
            return SshLogin.WithKey(record.UserName, key);
        }

        key = null;
        return SshLogin.WithPassword(record.UserName, value);
    }

    /// <summary>
    /// Logs in and out: true when the target accepts the credential, false when it refuses it.
    /// Host key and connection failures are errors, not answers. One attempt, never a retry, so
    /// a wrong credential counts once against the target's lockout rules.
    /// </summary>
    private bool TryLogin(SshEndpoint endpoint, IReadOnlyList<HostKeyPin> pins, SshLogin login)
    {
        try
        {
            using var session = SshConnector.Connect(endpoint, pins, login, SshOptions);
            return true;
        }
        catch (PassManException failure) when (failure.ErrorId == ErrorIds.LoginFailed)
        {
            return false;
        }
    }

    /// <summary>The pending value of a credential; null when none.</summary>
    private SecretBuffer? OpenPending(CredentialRecord credential)
    {
        var sealedPending = _store.ReadPending(credential.Id);
        return sealedPending is null
            ? null
            : Unseal(credential, credential.Id, PendingField(credential), sealedPending);
    }

    private SecretBuffer OpenCurrent(CredentialRecord credential) =>
        Unseal(credential, credential.Id, SecretField(credential), credential.Secret);

    /// <summary>The field a pending value is sealed for: its credential and the version it would become.</summary>
    private static string PendingField(CredentialRecord credential) =>
        $"credential-pending/{credential.Id:D}/{credential.Version + 1}";

    private sealed record OnTargetPlan(
        AccountRecord Account,
        CredentialRecord Credential,
        TargetRecord Target,
        SshEndpoint Endpoint,
        IReadOnlyList<HostKeyPin> Pins,
        string Name,
        bool UseReconcile);

    /// <summary>A login with the secrets it holds, disposed together.</summary>
    private sealed class OwnedLogin(SshLogin login, SecretBuffer? password, SshKey? key) : IDisposable
    {
        public SshLogin Login => login;

        public SecretBuffer? Password => password;

        public void Dispose()
        {
            password?.Dispose();
            key?.Dispose();
        }
    }
}
