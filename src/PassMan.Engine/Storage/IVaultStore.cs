using System;
using System.Collections.Generic;

namespace PassMan.Storage;

/// <summary>
/// The one seam between the vault's logic and where its rows live. The store sees ciphertext
/// only: encryption, keys, names and rules stay in <c>Vault</c>, so another database can stand
/// behind this interface without touching them.
/// </summary>
/// <remarks>
/// Writes happen inside <see cref="BeginWrite"/>, which takes the store's write lock until the
/// scope commits or is disposed; reads made meanwhile through the same store see the scope's
/// changes. The List methods stream: they read on a connection of their own, as of the moment
/// they start, so the caller may write while it iterates.
/// </remarks>
public interface IVaultStore : IDisposable
{
    /// <summary>Where the store lives, for messages: a file path or a server name.</summary>
    string Location { get; }

    /// <summary>The schema version of the stored data.</summary>
    int SchemaVersion { get; }

    /// <summary>Starts a write transaction; writes outside one fail.</summary>
    IWriteScope BeginWrite();

    /// <summary>Reads the vault's settings.</summary>
    VaultHeader ReadHeader();

    /// <summary>Reads every wrapped data key.</summary>
    IReadOnlyList<WrappedDataKey> ReadDataKeys();

    /// <summary>Replaces the settings and all wrapped data keys at once.</summary>
    void ReplaceProtection(ProtectionChange change);

    /// <summary>Counts targets, accounts and credentials.</summary>
    VaultCounts Count();

    /// <summary>Finds a target by its folded name.</summary>
    TargetRecord? FindTarget(string nameKey);

    /// <summary>Finds a target by id.</summary>
    TargetRecord? FindTarget(Guid targetId);

    /// <summary>Lists targets in name order, optionally matching a pattern, with their account counts.</summary>
    IEnumerable<(TargetRecord Target, long AccountCount)> ListTargets(Model.NamePattern? name);

    /// <summary>Adds a target.</summary>
    void InsertTarget(TargetRecord target);

    /// <summary>Replaces a target's fields.</summary>
    void UpdateTarget(TargetRecord target);

    /// <summary>Deletes a target, with its accounts and their credentials.</summary>
    void DeleteTarget(Guid targetId);

    /// <summary>
    /// The host keys pinned for a host name (compared without regard to ASCII case) and port.
    /// </summary>
    IReadOnlyList<Ssh.HostKeyPin> ListHostKeys(string hostName, int port);

    /// <summary>Replaces every pin of a host name and port.</summary>
    void ReplaceHostKeys(string hostName, int port, IReadOnlyList<Ssh.HostKeyPin> pins);

    /// <summary>Counts the accounts of a target.</summary>
    long CountAccounts(Guid targetId);

    /// <summary>Finds an account by target and folded user name.</summary>
    AccountRecord? FindAccount(Guid targetId, string userKey);

    /// <summary>Finds an account by id.</summary>
    AccountRecord? FindAccount(Guid accountId);

    /// <summary>One account with its names and summaries, read on the store's own connection.</summary>
    AccountView? FindAccountView(Guid accountId);

    /// <summary>Lists accounts in target and user-name order, filtered in the database.</summary>
    IEnumerable<AccountView> ListAccounts(AccountFilter filter);

    /// <summary>Adds an account.</summary>
    void InsertAccount(AccountRecord account);

    /// <summary>Replaces an account's fields.</summary>
    void UpdateAccount(AccountRecord account);

    /// <summary>Deletes an account and its credentials.</summary>
    void DeleteAccount(Guid accountId);

    /// <summary>Counts the accounts that name <paramref name="accountId"/> as their reconcile account.</summary>
    long CountReconcileDependents(Guid accountId);

    /// <summary>Adds a credential to an existing account.</summary>
    void InsertCredential(CredentialRecord credential);

    /// <summary>Finds a credential by id.</summary>
    CredentialRecord? FindCredential(Guid id);

    /// <summary>Reads the statuses of an account's credentials.</summary>
    IReadOnlyList<CredentialRecord> ListCredentials(Guid accountId);

    /// <summary>Replaces a credential's current value, version, status and public half.</summary>
    void UpdateCredential(CredentialRecord credential);

    /// <summary>Deletes a credential with its history.</summary>
    void DeleteCredential(Guid credentialId);

    /// <summary>
    /// Stores the sealed value a change on the target is about to set, written and made durable
    /// before the target is touched, only when no other value is pending (false otherwise, so two
    /// changes of one credential cannot both go ahead); with null, clears it.
    /// </summary>
    bool WritePending(Guid credentialId, byte[]? sealedValue);

    /// <summary>The sealed pending value of a credential; null when none is pending.</summary>
    byte[]? ReadPending(Guid credentialId);

    /// <summary>Keeps a past value of a credential.</summary>
    void InsertCredentialVersion(CredentialVersionRecord version);

    /// <summary>A credential's past values, newest first.</summary>
    IReadOnlyList<CredentialVersionRecord> ListCredentialVersions(Guid credentialId);

    /// <summary>Finds a policy by its folded name.</summary>
    PolicyRecord? FindPolicy(string nameKey);

    /// <summary>Finds a policy by id.</summary>
    PolicyRecord? FindPolicy(Guid policyId);

    /// <summary>Lists policies in name order, with the number of accounts using each.</summary>
    IEnumerable<(PolicyRecord Policy, long AccountCount)> ListPolicies(Model.NamePattern? name);

    /// <summary>Adds a policy.</summary>
    void InsertPolicy(PolicyRecord policy);

    /// <summary>Replaces a policy's fields.</summary>
    void UpdatePolicy(PolicyRecord policy);

    /// <summary>Deletes a policy.</summary>
    void DeletePolicy(Guid policyId);

    /// <summary>Counts the accounts that name the policy, and also those that name none if asked.</summary>
    long CountPolicyUsers(Guid policyId, bool includingUnassigned);

    /// <summary>Reads the head of the audit chain; null when the log is empty.</summary>
    AuditHead? ReadAuditHead();

    /// <summary>Reads the MAC of the last entry, which the next entry chains to; null when the log is empty.</summary>
    byte[]? ReadLastAuditMac();

    /// <summary>Appends an audit entry and stores <paramref name="headMac"/> as the head, in the write scope.</summary>
    void AppendAudit(Model.AuditRecord entry, byte[] headMac);

    /// <summary>
    /// The folded search keys stored beside each audit entry's target and user name, which filters
    /// use and the MAC does not cover, in sequence order.
    /// </summary>
    IEnumerable<(long Sequence, string? TargetKey, string? UserKey)> ListAuditKeys();

    /// <summary>Lists audit entries in sequence order, filtered in the database.</summary>
    IEnumerable<Model.AuditRecord> ListAudit(AuditFilter filter);

    /// <summary>
    /// Writes a consistent copy of the whole store, as of one moment, to a new file, while other
    /// connections may go on writing.
    /// </summary>
    void BackupTo(string destinationPath);
}

/// <summary>A write transaction of the store.</summary>
public interface IWriteScope : IDisposable
{
    /// <summary>
    /// Runs one item of a batch: if it fails, only its own writes are undone and the scope goes
    /// on; the exception is rethrown to the caller.
    /// </summary>
    T Item<T>(Func<T> work);

    /// <summary>Makes every write of the scope durable at once. Without it, Dispose undoes them.</summary>
    void Commit();
}
