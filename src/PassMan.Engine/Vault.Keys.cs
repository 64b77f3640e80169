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
/// SSH keys on the target: rotation in authorized_keys in two phases, keys added and removed, and
/// the ownership rule checked (and repaired through a reconcile account) before a key is relied on.
/// </summary>
public sealed partial class Vault
{
    /// <summary>
    /// Rotates an SSH key on the target. The new key is stored as pending, added to the user's
    /// authorized_keys, and tried in a login; only then is the old key removed and the new one
    /// made current and InSync. If the new key does not log in, its line is taken out again, the
    /// old key stays current, and the error (KeyRefused) says so. PassMan's own lines are found by
    /// the key itself: every public key this credential ever had.
    /// </summary>
    public ResetResult ResetKeyOnTarget(ResetRequest request, bool useReconcile)
    {
        ArgumentNullException.ThrowIfNull(request);
        var key = request.Key ?? throw new ArgumentException("A key rotation needs the new key.", nameof(request));
        using var secret = ValueOf(request);
        AccountRecord record;
        CredentialRecord credential;
        string targetName;
        string name;
        byte[] mac;
        TargetRecord target;
        IReadOnlyList<HostKeyPin> pins;
        List<byte[]> known;

        // As for a password: planned again when another change of the key ended meanwhile.
        do
        {
            (record, credential, targetName) = RequireCredential(request.Account, request.Type, request.KeyType);
            name = $"{targetName}/{record.UserName}";
            RequireKeyType(name, key, credential);
            mac = RequireUnused(record, credential, request, secret, name);
            target = _store.FindTarget(record.TargetId)!;
            pins = PinsFor(target);
            known = KnownBlobs(credential);
        }
        while (!StagePending(credential, secret, name, Describe(credential.Type, credential.KeyType)));

        var verified = false;
        var untouched = true;
        string how;
        try
        {
            using var file = OpenKeyFile(record, target, pins, useReconcile);
            how = file.How;
            var current = AuthorizedKeys.Parse(file.State.Content);
            RequireNotAuthorized(current, key, name);
            var added = current.WithReplacement(known, key.PublicBlob, key.Comment);

            // From here the target may hold the new key: the pending value stays unless its line is
            // known to be gone again.
            untouched = false;
            var withNew = LinuxAuthorizedKeys.Write(file.Access, file.State, added);
            RequireKeyLogsIn(file, withNew, EndpointOf(target), pins, record, key);
            verified = true;
            LinuxAuthorizedKeys.Write(file.Access, withNew, AuthorizedKeys.Parse(added).Without(known));
        }
        catch (PassManException failure) when (!verified && (untouched || failure.ErrorId == ErrorIds.KeyFileChanged
            || failure.ErrorId == ErrorIds.KeyRefused && failure.Data.Contains(RolledBack)))
        {
            // The old key is still in the file and still current: nothing is lost by dropping the new one.
            Change(() =>
            {
                _store.WritePending(credential.Id, null);
                Audit(AuditActions.CredentialResetFailed, targetName, record.UserName,
                    $"{Describe(credential.Type, credential.KeyType)}, on target; the old key stays current",
                    outcome: "Failure",
                    errorId: failure.ErrorId);
            });
            throw;
        }
        catch (PassManException failure) when (!verified)
        {
            // The new key may be in the file: it stays pending, for the next operation to resolve.
            Change(() => Audit(AuditActions.CredentialResetFailed, targetName, record.UserName,
                $"{Describe(credential.Type, credential.KeyType)}, on target; outcome not known, the new key stays "
                    + "pending",
                outcome: "Failure",
                errorId: failure.ErrorId));
            throw;
        }
        catch (PassManException failure)
        {
            // The new key logs in; only the removal of the old one failed. The new key is what counts.
            CommitKey(record, credential, targetName, key, secret, mac, request.Generated,
                "on target, verified; the old key could not be removed: " + failure.Message);
            throw new PassManException(
                failure.ErrorId,
                failure.Kind,
                $"{name}: the new {key.KeyType} key is in place, logs in and is now current, but the old key could "
                    + $"not be taken out of authorized_keys: {failure.Message}",
                name,
                failure);
        }

        return CommitKey(record, credential, targetName, key, secret, mac, request.Generated,
            $"on target ({how}), verified");
    }

    /// <summary>
    /// Adds a new SSH key to an account, on the target too: the credential is stored first (as
    /// NotInSync), the public key is added to authorized_keys and tried in a login, and the key
    /// becomes InSync. If it does not log in, its line and the credential are taken away again.
    /// </summary>
    public Guid AddKeyOnTarget(AccountRef account, SshKey key, bool useReconcile)
    {
        ArgumentNullException.ThrowIfNull(key);
        var id = AddSshKey(account, key, AccountStatus.NotInSync);
        var record = RequireAccount(account);
        var target = _store.FindTarget(record.TargetId)!;
        var credential = _store.FindCredential(id)!;
        try
        {
            var pins = PinsFor(target);
            using var file = OpenKeyFile(record, target, pins, useReconcile);
            var current = AuthorizedKeys.Parse(file.State.Content);
            RequireNotAuthorized(current, key, $"{target.Name}/{record.UserName}");
            var added = current.WithKey(key.PublicBlob, key.Comment);
            var withNew = LinuxAuthorizedKeys.Write(file.Access, file.State, added);
            RequireKeyLogsIn(file, withNew, EndpointOf(target), pins, record, key);
            var now = DateTimeOffset.UtcNow;
            Change(() =>
            {
                _store.UpdateCredential(credential with { Status = AccountStatus.InSync, VerifiedUtc = now });
                UpdateAccountStatus(_store.FindAccount(record.Id)!, now);
                Audit(AuditActions.CredentialVerified, target.Name, record.UserName,
                    $"{key.KeyType} key put on the target ({file.How}): InSync");
            });
            return id;
        }
        catch (PassManException failure)
        {
            Change(() =>
            {
                _store.DeleteCredential(id);
                UpdateAccountStatus(_store.FindAccount(record.Id)!, DateTimeOffset.UtcNow);
                Audit(AuditActions.CredentialResetFailed, target.Name, record.UserName,
                    $"{key.KeyType} key, new, on target; not added", outcome: "Failure", errorId: failure.ErrorId);
            });
            throw;
        }
    }

    /// <summary>
    /// Removes a credential from an account, with its history. An SSH key is first taken out of
    /// the user's authorized_keys on the target (every public key the credential ever had), unless
    /// <paramref name="changeOnTarget"/> is false; a password or PIN changes the vault only.
    /// </summary>
    public void RemoveCredential(AccountRef account, CredentialType type, string? keyType, bool changeOnTarget)
    {
        var (record, credential, targetName) = RequireCredential(account, type, keyType);
        if (credential.HasPending)
        {
            // Its pending value may be what the target accepts; removing the credential would lose track of it.
            throw ErrorIds.Pending($"{targetName}/{record.UserName}", Describe(type, credential.KeyType));
        }

        var where = "vault only";
        if (changeOnTarget && type == CredentialType.SshKey)
        {
            var target = _store.FindTarget(record.TargetId)!;
            using var file = OpenKeyFile(record, target, PinsFor(target), useReconcile: false);
            var content = file.State.Content ?? [];
            var without = AuthorizedKeys.Parse(content).Without(KnownBlobs(credential));
            if (!without.AsSpan().SequenceEqual(content))
            {
                LinuxAuthorizedKeys.Write(file.Access, file.State, without);
                where = $"taken out of authorized_keys ({file.How})";
            }
            else
            {
                where = "vault only; authorized_keys on the target did not list it";
            }
        }

        Change(() =>
        {
            _store.DeleteCredential(credential.Id);
            UpdateAccountStatus(_store.FindAccount(record.Id)!, DateTimeOffset.UtcNow);
            Audit(AuditActions.CredentialRemoved, targetName, record.UserName,
                $"{Describe(type, credential.KeyType)}, {where}");
        });
    }

    /// <summary>
    /// What <see cref="ResetKeyOnTarget"/> would do, checked for real and changing nothing: the
    /// host key, a login as the account or its reconcile account, and the ownership rule.
    /// </summary>
    public string WhatIfKeyOnTarget(AccountRef account, CredentialType type, string? keyType, bool useReconcile)
    {
        var (record, _, _) = RequireCredential(account, type, keyType);
        var target = _store.FindTarget(record.TargetId)!;
        using var file = OpenKeyFile(record, target, PinsFor(target), useReconcile, repair: false);
        return $"authorized_keys edited {file.How}";
    }

    private void RequireKeyLogsIn(
        KeyFileSession file,
        KeyFileState withNew,
        SshEndpoint endpoint,
        IReadOnlyList<HostKeyPin> pins,
        AccountRecord record,
        SshKey key)
    {
        string? refusal = null;
        try
        {
            var login = SshLogin.WithKey(record.UserName, key);
            using var session = SshConnector.Connect(endpoint, pins, login, SshOptions);
            return;
        }
        catch (PassManException failure) when (failure.ErrorId == ErrorIds.LoginFailed)
        {
            refusal = failure.InnerException?.Message ?? failure.Message;
        }

        // Take the new line out again; the file goes back to what it was before.
        var note = string.Empty;
        var rolledBack = false;
        try
        {
            var restored = AuthorizedKeys.Parse(withNew.Content).Without([key.PublicBlob]);
            LinuxAuthorizedKeys.Write(file.Access, withNew, restored);
            rolledBack = true;
        }
        catch (PassManException failure)
        {
            note = $" Taking its line out of authorized_keys failed too ({failure.Message}); the vault keeps the "
                + "new key as pending until that is resolved.";
        }

        var name = $"{endpoint.TargetName}/{record.UserName}";
        var refused = new PassManException(
            ErrorIds.KeyRefused,
            PassManErrorKind.AuthenticationFailed,
            $"{name}: the target refused a login with the new {key.KeyType} key ({refusal}). "
                + (key.KeyType == SshKeyTypes.Dsa
                    ? "OpenSSH accepts ssh-dss keys only where sshd_config has PubkeyAcceptedAlgorithms +ssh-dss. "
                    : string.Empty)
                + "The old key stays in place and current." + note,
            name);
        if (rolledBack)
        {
            refused.Data[RolledBack] = true;
        }

        throw refused;
    }

    /// <summary>Marks a KeyRefused whose line was taken out again: the target is as it was.</summary>
    private const string RolledBack = "PassMan.RolledBack";

    /// <summary>
    /// Refuses a key that the file lists already, on a line PassMan did not write: taking that
    /// line over, or out on a rollback, would change a line that is not PassMan's.
    /// </summary>
    private static void RequireNotAuthorized(AuthorizedKeys file, SshKey key, string name)
    {
        if (file.Contains(key.PublicBlob))
        {
            throw new PassManException(
                ErrorIds.InvalidArgument,
                PassManErrorKind.InvalidArgument,
                $"{name}: authorized_keys on the target lists the new {key.KeyType} key ({key.Fingerprint}) already, "
                    + "on a line PassMan does not manage. Use another key. Nothing was changed.",
                name);
        }
    }

    private ResetResult CommitKey(
        AccountRecord record,
        CredentialRecord credential,
        string targetName,
        SshKey key,
        SecretBuffer secret,
        byte[] mac,
        bool generated,
        string how) => Change(() =>
    {
        var fresh = _store.FindCredential(credential.Id)!;
        var account = _store.FindAccount(record.Id)!;
        var updated = Commit(account, fresh, secret.Span, key, mac, AccountStatus.InSync, DateTimeOffset.UtcNow);
        _store.WritePending(credential.Id, null);
        Audit(AuditActions.CredentialReset, targetName, record.UserName,
            $"{Describe(credential.Type, credential.KeyType)}, {(generated ? "generated" : "given")}, {how}, "
                + $"version {updated.Version}");
        return ResultOf(targetName, account, credential, updated, changedOnTarget: true);
    });

    /// <summary>Every public key blob the credential ever had: the keys PassMan may find in authorized_keys.</summary>
    private List<byte[]> KnownBlobs(CredentialRecord credential) =>
        new[] { credential.PublicKey }
            .Concat(_store.ListCredentialVersions(credential.Id).Select(v => v.PublicKey))
            .OfType<string>()
            .Select(line => line.Split(' '))
            .Where(parts => parts.Length >= 2)
            .Select(parts => Convert.FromBase64String(parts[1]))
            .ToList();

    /// <summary>
    /// Logs in for work on the user's authorized_keys, as the account itself (with one of its keys,
    /// then its password) or through its reconcile account, and checks the ownership rule,
    /// repairing ~/.ssh through the reconcile account where the rule allows.
    /// </summary>
    private KeyFileSession OpenKeyFile(
        AccountRecord record,
        TargetRecord target,
        IReadOnlyList<HostKeyPin> pins,
        bool useReconcile,
        bool repair = true)
    {
        var endpoint = EndpointOf(target);
        var session = (useReconcile ? null : OpenAsAccount(record, endpoint, pins, recordFailures: repair))
            ?? OpenAsReconcile(record, endpoint, pins, because: useReconcile
                ? null
                : "no credential of the account logs in");
        try
        {
            var state = LinuxAuthorizedKeys.Inspect(session.Access);
            var problems = SshDirectoryRule.Check(record.UserName, state.Home, state.SshDirectory, state.File);
            if (problems.Count == 0 && state.Content is null)
            {
                problems = [new OwnershipProblem(
                    $"{state.File.Path} cannot be read by {record.UserName}",
                    $"chown {record.UserName}: {state.File.Path} && chmod 600 {state.File.Path}",
                    true)];
            }

            if (problems.Count == 0)
            {
                return session with { State = state };
            }

            var reconcile = record.ReconcileAccountId is not null;
            if (!problems.All(p => p.Repairable) || (!session.Access.AsRoot && !reconcile))
            {
                throw OwnershipRefused(target.Name, record, problems, reconcile, repaired: null);
            }

            if (!session.Access.AsRoot)
            {
                session.Dispose();
                session = OpenAsReconcile(record, endpoint, pins, because: "~/.ssh needs repair");
            }

            var repairs = string.Join("; ", problems.Select(p => p.Reason));
            if (!repair)
            {
                return session with { State = state, How = $"{session.How}; would repair: {repairs}" };
            }

            LinuxAuthorizedKeys.Repair(session.Access, state);
            state = LinuxAuthorizedKeys.Inspect(session.Access);
            var left = SshDirectoryRule.Check(record.UserName, state.Home, state.SshDirectory, state.File);
            if (left.Count > 0 || state.Content is null)
            {
                throw OwnershipRefused(target.Name, record, left.Count > 0 ? left : problems, reconcile, repairs);
            }

            return session with
            {
                State = state,
                How = $"{session.How}; repaired: {repairs}",
            };
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>A session as the account itself, with its first credential that logs in; null when none does.</summary>
    private KeyFileSession? OpenAsAccount(
        AccountRecord record,
        SshEndpoint endpoint,
        IReadOnlyList<HostKeyPin> pins,
        bool recordFailures)
    {
        var candidates = _store.ListCredentials(record.Id)
            .Where(c => c.Status != AccountStatus.NotInSync && c.Type != CredentialType.Pin)
            .OrderBy(c => c.Type == CredentialType.SshKey ? 0 : 1);
        foreach (var credential in candidates)
        {
            using var value = OpenCurrent(credential);
            var login = LoginOf(record, credential, value, out var key);
            try
            {
                var session = SshConnector.Connect(endpoint, pins, login, SshOptions);
                return new KeyFileSession(session, new KeyFileAccess(session, record.UserName), key, null,
                    $"as the account itself, with its {login.Method}");
            }
            catch (PassManException failure) when (failure.ErrorId == ErrorIds.LoginFailed)
            {
                key?.Dispose();
                if (recordFailures)
                {
                    MarkNotInSync(record, credential);
                }
            }
            catch
            {
                key?.Dispose();
                throw;
            }
        }

        return null;
    }

    private KeyFileSession OpenAsReconcile(
        AccountRecord record,
        SshEndpoint endpoint,
        IReadOnlyList<HostKeyPin> pins,
        string? because)
    {
        var reconcile = RequireReconcile(record, $"{endpoint.TargetName}/{record.UserName}", because);
        var login = LoginFor(reconcile);
        try
        {
            var session = ConnectReconcile(reconcile, endpoint, pins, login.Login);
            return new KeyFileSession(
                session,
                new KeyFileAccess(session, record.UserName, reconcile.UserName, login.Password),
                null,
                login,
                $"through the reconcile account {reconcile.UserName}");
        }
        catch
        {
            login.Dispose();
            throw;
        }
    }

    private static PassManException OwnershipRefused(
        string target,
        AccountRecord record,
        IReadOnlyList<OwnershipProblem> problems,
        bool reconcile,
        string? repaired)
    {
        var name = $"{target}/{record.UserName}";
        var repairable = problems.All(p => p.Repairable);
        return new PassManException(
            ErrorIds.SshDirectoryOwnership,
            PassManErrorKind.InvalidOperation,
            $"{name}: OpenSSH will not trust keys in authorized_keys for {record.UserName}: "
                + string.Join("; ", problems.Select(p => p.Reason))
                + $". Fix it on the target as root: {string.Join(" && ", problems.Select(p => p.Fix))}"
                + (repairable && !reconcile
                    ? ". Or name a reconcile account (Set-PMAccount -ReconcileAccount): PassMan repairs ~/.ssh "
                        + "through it"
                    : string.Empty)
                + (repaired is null
                    ? ". Nothing was changed."
                    : $". PassMan repaired what it may ({repaired}); authorized_keys was not changed."),
            name);
    }

    /// <summary>A logged-in session for authorized_keys work, with what it holds, disposed together.</summary>
    private sealed record KeyFileSession(
        SshSession Session,
        KeyFileAccess Access,
        SshKey? Key,
        OwnedLogin? Login,
        string How) : IDisposable
    {
        public KeyFileState State { get; init; } = null!;

        public void Dispose()
        {
            Session.Dispose();
            Key?.Dispose();
            Login?.Dispose();
        }
    }
}
