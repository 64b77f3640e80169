using System;
using System.Collections.Generic;
using PassMan.Crypto;

namespace PassMan.Storage;

/// <summary>The vault's own settings: who it is and how its data key is protected.</summary>
/// <param name="VaultId">A random id, fixed when the vault is created.</param>
/// <param name="CreatedUtc">When the vault was created.</param>
/// <param name="Protection">Key file or passphrase.</param>
/// <param name="KeyFilePath">The full path of the key file, for key-file protection.</param>
/// <param name="Kdf">The passphrase derivation, for passphrase protection.</param>
/// <param name="ActiveKeyId">The data key that encrypts new secrets.</param>
public sealed record VaultHeader(
    Guid VaultId,
    DateTimeOffset CreatedUtc,
    VaultProtection Protection,
    string? KeyFilePath,
    KdfParameters? Kdf,
    Guid ActiveKeyId);

/// <summary>A data key as stored: wrapped under the key-encryption key, and when that was done.</summary>
public sealed record WrappedDataKey(Guid KeyId, byte[] Wrapped, DateTimeOffset WrappedUtc);

/// <summary>How many records of each kind a vault holds.</summary>
public sealed record VaultCounts(long Targets, long Accounts, long Credentials);

/// <summary>A target row.</summary>
public sealed record TargetRecord(Guid Id, string Name, string HostName, int Port, DateTimeOffset CreatedUtc);

/// <summary>An account row.</summary>
public sealed record AccountRecord(Guid Id, Guid TargetId, string UserName, DateTimeOffset CreatedUtc);

/// <summary>A credential row; <see cref="Secret"/> is a <see cref="SecretEnvelope"/>, never clear text.</summary>
public sealed record CredentialRecord(
    Guid Id,
    Guid AccountId,
    string CredentialType,
    byte[] Secret,
    DateTimeOffset CreatedUtc);

/// <summary>Everything needed to change how the data keys are protected, written in one transaction.</summary>
public sealed record ProtectionChange(VaultHeader Header, IReadOnlyList<WrappedDataKey> Keys);
