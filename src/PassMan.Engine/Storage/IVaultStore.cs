using System;
using System.Collections.Generic;

namespace PassMan.Storage;

/// <summary>
/// The one seam between the vault's logic and where its rows live. The store sees ciphertext
/// only: encryption, keys and rules stay in the vault, so another database can stand
/// behind this interface without touching them. Every method is one atomic unit of work.
/// </summary>
public interface IVaultStore : IDisposable
{
    /// <summary>Where the store lives, for messages: a file path or a server name.</summary>
    string Location { get; }

    /// <summary>The schema version of the stored data.</summary>
    int SchemaVersion { get; }

    /// <summary>Reads the vault's settings.</summary>
    VaultHeader ReadHeader();

    /// <summary>Reads every wrapped data key.</summary>
    IReadOnlyList<WrappedDataKey> ReadDataKeys();

    /// <summary>Replaces the settings and all wrapped data keys at once.</summary>
    void ReplaceProtection(ProtectionChange change);

    /// <summary>Counts targets, accounts and credentials.</summary>
    VaultCounts Count();

    /// <summary>Adds a target.</summary>
    void InsertTarget(TargetRecord target);

    /// <summary>Adds an account to an existing target.</summary>
    void InsertAccount(AccountRecord account);

    /// <summary>Adds a credential to an existing account.</summary>
    void InsertCredential(CredentialRecord credential);

    /// <summary>Finds a credential by id.</summary>
    CredentialRecord? FindCredential(Guid id);

    /// <summary>
    /// Writes a consistent copy of the whole store, as of one moment, to a new file, while other
    /// connections may go on writing.
    /// </summary>
    void BackupTo(string destinationPath);
}
