using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using PassMan.Crypto;
using PassMan.Keys;
using PassMan.Model;
using PassMan.Storage;

namespace PassMan;

/// <summary>The Reset Credentials and CheckOut jobs, inside the vault, and the credentials' history.</summary>
public sealed partial class Vault
{

    private SecretBuffer? _historyKey;

    /// <summary>The state of one credential of an account; fails with CredentialNotFound.</summary>
    public CredentialState GetCredentialState(AccountRef account, CredentialType type, string? keyType)
    {
        var (record, credential, target) = RequireCredential(account, type, keyType);
        return new CredentialState(
            target,
            record.UserName,
            type,
            credential.KeyType,
            credential.Status,
            credential.Version,
            credential.HasPending,
            PolicyOf(record).Settings);
    }

    /// <summary>
    /// Gives each credential its new value in one transaction; each result is the reset or its
    /// error. The old value becomes history; a value used within the policy's history is refused.
    /// </summary>
    public IReadOnlyList<BatchResult<ResetResult>> ResetCredentials(IReadOnlyList<ResetRequest> requests) =>
        Batch(requests, Reset);

    /// <summary>
    /// Gives out the current value of a credential, or a past <paramref name="version"/>, and
    /// records who, when and why in the audit log. The caller disposes the result.
    /// </summary>
    public CheckedOutCredential CheckOut(
        AccountRef account,
        CredentialType type,
        string? keyType,
        int? version,
        string? reason)
    {
        var (record, credential, target) = RequireCredential(account, type, keyType);
        SecretBuffer value;
        var given = credential.Version;
        if (version is null || version == credential.Version)
        {
            value = Unseal(credential, credential.Id, SecretField(credential), credential.Secret);
        }
        else
        {
            var past = _store.ListCredentialVersions(credential.Id).FirstOrDefault(v => v.Version == version)
                ?? throw new PassManException(
                    ErrorIds.VersionNotFound,
                    PassManErrorKind.NotFound,
                    $"{target}/{record.UserName} has no version {version} of its {Describe(type, keyType)}; "
                        + "Get-PMCredential -History lists them.",
                    version);
            value = Unseal(credential, past.Id, VersionField(past), past.Secret);
            given = past.Version;
        }

        return HandOut(record, credential, target, value, given, $"version {given}", reason);
    }

    /// <summary>
    /// Gives out the value of a change on the target that nobody saw end (Get-PMAccount shows it
    /// as PendingChange): the target may have it rather than the current value, and someone may
    /// need it to log in before Test-PMCredential has resolved it. Audited like any checkout.
    /// Fails with NoPendingChange when nothing is pending.
    /// </summary>
    public CheckedOutCredential CheckOutPending(
        AccountRef account,
        CredentialType type,
        string? keyType,
        string? reason)
    {
        var (record, credential, target) = RequireCredential(account, type, keyType);
        var value = OpenPending(credential) ?? throw new PassManException(
            ErrorIds.NoPendingChange,
            PassManErrorKind.InvalidOperation,
            $"{target}/{record.UserName}: its {Describe(type, credential.KeyType)} has no pending change; "
                + "Get-PMCredential without -Pending checks out the current value.",
            $"{target}/{record.UserName}");
        var version = credential.Version + 1;
        return HandOut(record, credential, target, value, version, $"pending value, version {version}", reason);
    }

    /// <summary>Records the checkout of <paramref name="value"/> in the audit log and gives it out.</summary>
    private CheckedOutCredential HandOut(
        AccountRecord record,
        CredentialRecord credential,
        string target,
        SecretBuffer value,
        int version,
        string which,
        string? reason)
    {
        try
        {
            Change(() => Audit(
                AuditActions.CredentialCheckedOut,
                target,
                record.UserName,
                $"{Describe(credential.Type, credential.KeyType)}, {which}"
                    + (string.IsNullOrWhiteSpace(reason) ? string.Empty : $"; reason: {reason}")));
            return new CheckedOutCredential(
                target, record.UserName, credential.Type, credential.KeyType, version, value);
        }
        catch
        {
            value.Dispose();
            throw;
        }
    }

    /// <summary>A credential's versions, newest first: the current one, then its history. Never a value.</summary>
    public IReadOnlyList<CredentialVersion> GetCredentialHistory(
        AccountRef account,
        CredentialType type,
        string? keyType)
    {
        var (record, credential, target) = RequireCredential(account, type, keyType);
        var versions = new List<CredentialVersion>
        {
            new(target, record.UserName, type, credential.KeyType, credential.Version, isCurrent: true,
                credential.ChangedUtc, credential.ChangedBy, credential.Fingerprint),
        };
        versions.AddRange(_store.ListCredentialVersions(credential.Id).Select(v => new CredentialVersion(
            target, record.UserName, type, credential.KeyType, v.Version, isCurrent: false, v.CreatedUtc, v.CreatedBy,
            v.Fingerprint)));
        return versions;
    }

    private ResetResult Reset(ResetRequest request)
    {
        var (record, credential, target) = RequireCredential(request.Account, request.Type, request.KeyType);
        var name = $"{target}/{record.UserName}";
        if (request.ChangeOnTarget && request.Type == CredentialType.SshKey)
        {
            throw ErrorIds.TargetChangeRefused(name, Describe(request.Type, credential.KeyType));
        }

        if (request.ChangeOnTarget && request.Type == CredentialType.Password)
        {
            throw new ArgumentException("A change on the target goes through ResetOnTarget.", nameof(request));
        }

        if (credential.HasPending)
        {
            throw ErrorIds.Pending(name, Describe(request.Type, credential.KeyType));
        }

        if (request.Key is { } newKey)
        {
            RequireKeyType(name, newKey, credential);
        }

        using var secret = ValueOf(request);
        var mac = RequireUnused(record, credential, request, secret, name);

        // A vault-only change leaves the vault holding what the target does not have.
        var status = request.Type == CredentialType.Pin ? (AccountStatus?)null : AccountStatus.NotInSync;
        var updated = Commit(record, credential, secret.Span, request.Key, mac, status, verified: null);
        Audit(
            AuditActions.CredentialReset,
            target,
            record.UserName,
            $"{Describe(request.Type, credential.KeyType)}, {(request.Generated ? "generated" : "given")}, "
                + $"vault only, version {updated.Version}");
        return ResultOf(target, record, credential, updated, changedOnTarget: false);
    }

    private static void RequireKeyType(string name, SshKey key, CredentialRecord credential)
    {
        if (key.KeyType != credential.KeyType)
        {
            throw new PassManException(
                ErrorIds.InvalidArgument,
                PassManErrorKind.InvalidArgument,
                $"{name}: the new key is an {key.KeyType} key, but the credential is the {credential.KeyType} key.",
                name);
        }

        RequireStrongEnough(name, key);
    }

    /// <summary>
    /// A key given to PassMan meets the bar of the keys it makes: an RSA key of fewer bits than any
    /// policy may ask for is refused with KeyTooWeak, not kept to guard an account.
    /// </summary>
    private static void RequireStrongEnough(string name, SshKey key)
    {
        if (key.KeyType == SshKeyTypes.Rsa && key.Bits < PolicySettings.MinRsaKeySize)
        {
            throw new PassManException(
                ErrorIds.KeyTooWeak,
                PassManErrorKind.InvalidArgument,
                $"{name}: the RSA key has {key.Bits} bits; PassMan keeps RSA keys of "
                    + $"{PolicySettings.MinRsaKeySize} bits or more. Give a stronger key, or let -Generate make one.",
                name);
        }
    }

    /// <summary>The new value of a reset, as the bytes the vault stores; the caller disposes it.</summary>
    private static SecretBuffer ValueOf(ResetRequest request) => request.Key is { } key
        ? key.ToOpenSshPrivateKey()
        : new SecretBuffer(
            (request.Value ?? throw new ArgumentException("A reset needs a value.", nameof(request))).Span);

    /// <summary>
    /// The keyed hash of the new value, once the policy's no-reuse rule has been checked: fails with
    /// CredentialReused when the value is the current one or among the last N.
    /// </summary>
    private byte[] RequireUnused(
        AccountRecord record,
        CredentialRecord credential,
        ResetRequest request,
        SecretBuffer secret,
        string name)
    {
        var mac = ValueMac(
            request.Type,
            credential.KeyType,
            request.Key is null ? secret.Span : request.Key.PublicBlob);
        var policy = PolicyOf(record).Settings;

        // The last N values: the current one and the N - 1 before it.
        var lastValues = new[] { credential.ValueMac }.Concat(_store.ListCredentialVersions(credential.Id)
            .Take(Math.Max(policy.History - 1, 0))
            .Select(v => v.ValueMac));
        if (policy.History > 0 && lastValues.Any(m => m is not null && m.AsSpan().SequenceEqual(mac)))
        {
            throw new PassManException(
                ErrorIds.CredentialReused,
                PassManErrorKind.InvalidArgument,
                $"{name}: that value was used within the last {policy.History} and the policy does not allow it "
                    + "again. Nothing was changed.",
                name);
        }

        return mac;
    }

    /// <summary>
    /// Makes <paramref name="value"/> the credential's current value: the old one moves to the
    /// history, sealed anew for the row it now lives in, and the account's status follows.
    /// </summary>
    private CredentialRecord Commit(
        AccountRecord record,
        CredentialRecord credential,
        ReadOnlySpan<byte> value,
        SshKey? key,
        byte[] mac,
        AccountStatus? status,
        DateTimeOffset? verified)
    {
        var now = DateTimeOffset.UtcNow;
        using (var old = Unseal(credential, credential.Id, SecretField(credential), credential.Secret))
        {
            var historyId = Guid.NewGuid();
            var history = new CredentialVersionRecord(
                historyId,
                credential.Id,
                credential.Version,
                [],
                credential.ValueMac,
                credential.PublicKey,
                credential.Fingerprint,
                credential.ChangedUtc,
                credential.ChangedBy,
                now);
            _store.InsertCredentialVersion(history with
            {
                Secret = SecretEnvelope.Seal(RequireKeys(), historyId, VersionField(history), old.Span),
            });
        }

        var updated = credential with
        {
            Secret = SecretEnvelope.Seal(RequireKeys(), credential.Id, SecretField(credential), value),
            Status = status,
            ChangedUtc = now,
            VerifiedUtc = verified,
            PublicKey = key?.PublicKey ?? credential.PublicKey,
            Fingerprint = key?.Fingerprint ?? credential.Fingerprint,
            Version = credential.Version + 1,
            ValueMac = mac,
            ChangedBy = s_osUser.Value,
        };
        _store.UpdateCredential(updated);
        UpdateAccountStatus(record, now);
        return updated;
    }

    private void UpdateAccountStatus(AccountRecord record, DateTimeOffset now) =>
        _store.UpdateAccount(record with { Status = StatusOf(_store.ListCredentials(record.Id)), ModifiedUtc = now });

    private static ResetResult ResultOf(
        string target,
        AccountRecord record,
        CredentialRecord before,
        CredentialRecord after,
        bool changedOnTarget) => new(
        target,
        record.UserName,
        before.Type,
        before.KeyType,
        after.Fingerprint,
        changedOnTarget,
        before.Status,
        after.Status,
        after.Version,
        after.ChangedUtc);

    private (AccountRecord Account, CredentialRecord Credential, string Target) RequireCredential(
        AccountRef account,
        CredentialType type,
        string? keyType)
    {
        var record = RequireAccount(account);
        var target = TargetNameOf(record);
        var ofType = _store.ListCredentials(record.Id).Where(c => c.Type == type).ToList();
        var wantedKeyType = type == CredentialType.SshKey ? keyType ?? PolicyOf(record).Settings.SshKeyType : null;
        var credential = ofType.FirstOrDefault(c => type != CredentialType.SshKey || c.KeyType == wantedKeyType);
        return (record, credential ?? throw new PassManException(
            ErrorIds.CredentialNotFound,
            PassManErrorKind.NotFound,
            $"{target}/{record.UserName} holds no {Describe(type, wantedKeyType)}"
                + (ofType.Count > 0 ? $"; it holds {string.Join(", ", ofType.Select(c => c.KeyType))}." : "."),
            $"{target}/{record.UserName}"), target);
    }

    /// <summary>
    /// Decrypts a sealed value of <paramref name="credential"/>: its current, past or pending one.
    /// A failed integrity check names the account as its target, as every other error about a
    /// credential does, so that one bad account in a bulk run says which it was.
    /// </summary>
    private SecretBuffer Unseal(CredentialRecord credential, Guid recordId, string field, ReadOnlySpan<byte> envelope)
    {
        try
        {
            return SecretEnvelope.Open(RequireKeys(), recordId, field, envelope);
        }
        catch (PassManException e) when (e.ErrorId == ErrorIds.SecretTampered)
        {
            var account = _store.FindAccount(credential.AccountId);
            var name = account is null
                ? credential.AccountId.ToString("D")
                : $"{TargetNameOf(account)}/{account.UserName}";
            throw new PassManException(e.ErrorId, e.Kind, $"{name}: {e.Message}", name, e);
        }
    }

    /// <summary>
    /// The field a credential's value is sealed for: it names the account, the type and the key
    /// type, so a ciphertext moved to another account or credential fails to open.
    /// </summary>
    private static string SecretField(Guid accountId, CredentialType type, string? keyType) =>
        $"credential/{accountId:D}/{type}/{keyType}";

    private static string SecretField(CredentialRecord credential) =>
        SecretField(credential.AccountId, credential.Type, credential.KeyType);

    /// <summary>The field a past value is sealed for: its credential and version.</summary>
    private static string VersionField(CredentialVersionRecord version) =>
        $"credential-version/{version.CredentialId:D}/{version.Version}";

    /// <summary>
    /// The keyed hash that the no-reuse rule compares: HMAC-SHA256 under a key derived for this
    /// purpose, so the database never holds a plain hash that could be looked up or cracked.
    /// </summary>
    private byte[] ValueMac(CredentialType type, string? keyType, ReadOnlySpan<byte> value)
    {
        var key = _historyKey ??= PurposeKeys.Derive(RequireKeys(), Id, _header.AuditKeyId, "passman/history-mac/1");
        var label = Encoding.UTF8.GetBytes($"{type}\0{keyType}\0");
        var data = new byte[label.Length + value.Length];
        try
        {
            label.CopyTo(data, 0);
            value.CopyTo(data.AsSpan(label.Length));
            return HMACSHA256.HashData(key.Span, data);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(data);
        }
    }

    private static string Describe(CredentialType type, string? keyType) => type switch
    {
        CredentialType.SshKey => $"{keyType} key",
        CredentialType.Pin => "PIN",
        _ => "password",
    };
}
