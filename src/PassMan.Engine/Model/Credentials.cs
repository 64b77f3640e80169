using System;
using System.Security;
using PassMan.Crypto;
using PassMan.Keys;

namespace PassMan.Model;

/// <summary>
/// One reset to make: the account, which credential, and its new value, already generated or
/// given (generation happens before the write, so that no slow key generation holds the lock).
/// The caller keeps ownership of <see cref="Value"/> and <see cref="Key"/>.
/// </summary>
public sealed record ResetRequest(
    AccountRef Account,
    CredentialType Type,
    string? KeyType,
    SecretBuffer? Value,
    SshKey? Key,
    bool Generated,
    bool ChangeOnTarget);

/// <summary>
/// One credential to add to an account: a password or PIN in <see cref="Value"/>, or an SSH key in
/// <see cref="Key"/>. The caller keeps ownership of both.
/// </summary>
public sealed record NewCredentialRequest(
    AccountRef Account,
    CredentialType Type,
    SecretBuffer? Value,
    SshKey? Key,
    AccountStatus Status);

/// <summary>The current state of one credential of an account, for confirmations and warnings.</summary>
public sealed record CredentialState(
    string Target,
    string UserName,
    CredentialType Type,
    string? KeyType,
    AccountStatus? Status,
    int Version,
    bool HasPending,
    PolicySettings Policy);

/// <summary>What Reset-PMCredential -PassThru reports for one account, once the change is durable.</summary>
public sealed class ResetResult
{
    internal ResetResult(
        string target,
        string userName,
        CredentialType type,
        string? keyType,
        string? fingerprint,
        bool changedOnTarget,
        AccountStatus? statusBefore,
        AccountStatus? statusAfter,
        int version,
        DateTimeOffset time)
    {
        Target = target;
        UserName = userName;
        CredentialType = type.ToString();
        KeyType = keyType;
        Fingerprint = fingerprint;
        ChangedOnTarget = changedOnTarget;
        StatusBefore = statusBefore?.ToString();
        StatusAfter = statusAfter?.ToString();
        Version = version;
        Time = Times.Show(time)!;
    }

    /// <summary>The account's target.</summary>
    public string Target { get; }

    /// <summary>The account's user name.</summary>
    public string UserName { get; }

    /// <summary>Password, SshKey or Pin.</summary>
    public string CredentialType { get; }

    /// <summary>The key type, for an SSH key.</summary>
    public string? KeyType { get; }

    /// <summary>The new key's fingerprint, for an SSH key.</summary>
    public string? Fingerprint { get; }

    /// <summary>Whether the target was changed too.</summary>
    public bool ChangedOnTarget { get; }

    /// <summary>The credential's status before the reset; none for a PIN.</summary>
    public string? StatusBefore { get; }

    /// <summary>The credential's status after the reset (and its verification); none for a PIN.</summary>
    public string? StatusAfter { get; internal set; }

    /// <summary>The credential's new version number.</summary>
    public int Version { get; }

    /// <summary>When the reset was made, ISO 8601 UTC.</summary>
    public string Time { get; }
}

/// <summary>One version of a credential, as Get-PMCredential -History lists it. Never the value.</summary>
public sealed class CredentialVersion
{
    internal CredentialVersion(
        string target,
        string userName,
        CredentialType type,
        string? keyType,
        int version,
        bool isCurrent,
        DateTimeOffset created,
        string? createdBy,
        string? fingerprint)
    {
        Target = target;
        UserName = userName;
        CredentialType = type.ToString();
        KeyType = keyType;
        Version = version;
        IsCurrent = isCurrent;
        Created = Times.Show(created)!;
        CreatedBy = createdBy;
        Fingerprint = fingerprint;
    }

    /// <summary>The account's target.</summary>
    public string Target { get; }

    /// <summary>The account's user name.</summary>
    public string UserName { get; }

    /// <summary>Password, SshKey or Pin.</summary>
    public string CredentialType { get; }

    /// <summary>The key type, for an SSH key.</summary>
    public string? KeyType { get; }

    /// <summary>The version number, from 1.</summary>
    public int Version { get; }

    /// <summary>Whether this is the value a checkout gives now.</summary>
    public bool IsCurrent { get; }

    /// <summary>When the value was set, ISO 8601 UTC.</summary>
    public string Created { get; }

    /// <summary>The operating-system user who set it.</summary>
    public string? CreatedBy { get; }

    /// <summary>The key's fingerprint, for an SSH key.</summary>
    public string? Fingerprint { get; }
}

/// <summary>A checked-out value; the caller disposes it, which clears it.</summary>
public sealed class CheckedOutCredential : IDisposable
{
    internal CheckedOutCredential(
        string target,
        string userName,
        CredentialType type,
        string? keyType,
        int version,
        SecretBuffer value)
    {
        Target = target;
        UserName = userName;
        Type = type;
        KeyType = keyType;
        Version = version;
        Value = value;
    }

    /// <summary>The account's target.</summary>
    public string Target { get; }

    /// <summary>The account's user name.</summary>
    public string UserName { get; }

    /// <summary>The credential type.</summary>
    public CredentialType Type { get; }

    /// <summary>The key type, for an SSH key.</summary>
    public string? KeyType { get; }

    /// <summary>The version given out.</summary>
    public int Version { get; }

    /// <summary>The value: UTF-8 text of a password or PIN, or an OpenSSH private key file.</summary>
    public SecretBuffer Value { get; }

    /// <summary>The value as a SecureString, for PSCredential and the key object.</summary>
    public SecureString ToSecureString() => Value.ToSecureString();

    /// <inheritdoc/>
    public void Dispose() => Value.Dispose();
}
