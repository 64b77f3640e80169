using System;
using System.Collections.Generic;
using PassMan.Crypto;
using PassMan.Model;

namespace PassMan.Storage;

/// <summary>The vault's own settings: who it is and how its data key is protected.</summary>
/// <param name="VaultId">A random id, fixed when the vault is created.</param>
/// <param name="CreatedUtc">When the vault was created.</param>
/// <param name="Protection">Key file or passphrase.</param>
/// <param name="KeyFilePath">The full path of the key file, for key-file protection.</param>
/// <param name="Kdf">The passphrase derivation, for passphrase protection.</param>
/// <param name="ActiveKeyId">The data key that encrypts new secrets.</param>
/// <param name="AuditKeyId">The data key the audit log's MAC key is derived from.</param>
public sealed record VaultHeader(
    Guid VaultId,
    DateTimeOffset CreatedUtc,
    VaultProtection Protection,
    string? KeyFilePath,
    KdfParameters? Kdf,
    Guid ActiveKeyId,
    Guid AuditKeyId);

/// <summary>A data key as stored: wrapped under the key-encryption key, and when that was done.</summary>
public sealed record WrappedDataKey(Guid KeyId, byte[] Wrapped, DateTimeOffset WrappedUtc);

/// <summary>How many records of each kind a vault holds.</summary>
public sealed record VaultCounts(long Targets, long Accounts, long Credentials);

/// <summary>Everything needed to change how the data keys are protected, written in one transaction.</summary>
public sealed record ProtectionChange(VaultHeader Header, IReadOnlyList<WrappedDataKey> Keys);

/// <summary>A target row.</summary>
public sealed record TargetRecord(
    Guid Id,
    string Name,
    string HostName,
    int Port,
    string Platform,
    string? Description,
    IReadOnlyList<string> HostKeyFingerprints,
    DateTimeOffset CreatedUtc,
    DateTimeOffset ModifiedUtc,
    int MaxConnections = Model.Targets.DefaultMaxConnections)
{
    /// <summary>The folded name under which the target is unique.</summary>
    public string NameKey => Names.Fold(Name);
}

/// <summary>An account row.</summary>
public sealed record AccountRecord(
    Guid Id,
    Guid TargetId,
    string UserName,
    Guid? PolicyId,
    Guid? ReconcileAccountId,
    string? Description,
    AccountStatus Status,
    DateTimeOffset CreatedUtc,
    DateTimeOffset ModifiedUtc)
{
    /// <summary>The folded user name under which the account is unique on its target.</summary>
    public string UserKey => Names.Fold(UserName);
}

/// <summary>An account with the names and summaries a listing shows, read in one query.</summary>
public sealed record AccountView(
    AccountRecord Account,
    string TargetName,
    string PolicyName,
    string? ReconcileUserName,
    string Credentials,
    DateTimeOffset? LastChangedUtc,
    DateTimeOffset? LastVerifiedUtc,
    bool HasPending = false);

/// <summary>What to list: each part is optional, and they combine with AND.</summary>
public sealed record AccountFilter(
    NamePattern? Target = null,
    NamePattern? UserName = null,
    AccountStatus? Status = null,
    Guid? Id = null,
    Guid? TargetId = null);

/// <summary>
/// A credential row; <see cref="Secret"/> is a <see cref="SecretEnvelope"/>, never clear text.
/// <see cref="Status"/> is null for a PIN, which lives in the vault only.
/// </summary>
public sealed record CredentialRecord(
    Guid Id,
    Guid AccountId,
    CredentialType Type,
    string? KeyType,
    byte[] Secret,
    AccountStatus? Status,
    DateTimeOffset CreatedUtc,
    DateTimeOffset ChangedUtc,
    DateTimeOffset? VerifiedUtc,
    string? PublicKey = null,
    string? Fingerprint = null,
    int Version = 1,
    byte[]? ValueMac = null,
    string? ChangedBy = null,
    bool HasPending = false);

/// <summary>A past value of a credential, kept for history and checkout of old versions.</summary>
public sealed record CredentialVersionRecord(
    Guid Id,
    Guid CredentialId,
    int Version,
    byte[] Secret,
    byte[]? ValueMac,
    string? PublicKey,
    string? Fingerprint,
    DateTimeOffset CreatedUtc,
    string? CreatedBy,
    DateTimeOffset RetiredUtc);

/// <summary>A policy row.</summary>
public sealed record PolicyRecord(
    Guid Id,
    string Name,
    PolicySettings Settings,
    DateTimeOffset CreatedUtc,
    DateTimeOffset ModifiedUtc)
{
    /// <summary>The folded name under which the policy is unique.</summary>
    public string NameKey => Names.Fold(Name);
}

/// <summary>The last entry of the audit chain, as the vault stores it.</summary>
public sealed record AuditHead(long Sequence, byte[] Mac);

/// <summary>Which audit entries to list; the parts combine with AND.</summary>
public sealed record AuditFilter(
    NamePattern? Target = null,
    NamePattern? UserName = null,
    NamePattern? Action = null,
    DateTimeOffset? After = null,
    DateTimeOffset? Before = null,
    int? Last = null);
