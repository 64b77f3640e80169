using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using PassMan.Audit;
using PassMan.Crypto;
using PassMan.Model;
using PassMan.Storage;
using PassMan.Storage.Sqlite;

namespace PassMan;

/// <summary>
/// An open vault: its store, its header, and, once unlocked, its data keys. All encryption happens
/// here; the store below sees ciphertext only.
/// </summary>
public sealed partial class Vault : IDisposable
{

    // Environment.UserName reads the user database on every call; the process's user does not change.
    private static readonly Lazy<string> s_osUser = new(() => Environment.UserName);

    private readonly IVaultStore _store;
    private VaultHeader _header;
    private KeyRing? _keys;
    private SecretBuffer? _auditKey;
    private IWriteScope? _scope;

    private Vault(string path, IVaultStore store, VaultHeader header, KeyRing? keys)
    {
        Path = path;
        _store = store;
        _header = header;
        _keys = keys;
    }

    /// <summary>The full path of the vault file.</summary>
    public string Path { get; }

    /// <summary>The vault's id.</summary>
    public Guid Id => _header.VaultId;

    /// <summary>How the data key is protected now.</summary>
    public VaultProtection Protection => _header.Protection;

    /// <summary>The key file of a key-file vault; null for a passphrase vault.</summary>
    public string? KeyFilePath => _header.KeyFilePath;

    /// <summary>Whether the data keys are in memory.</summary>
    public bool IsUnlocked => _keys is not null;

    /// <summary>
    /// Creates a vault protected by a new key file, at <paramref name="keyFilePath"/> or next to
    /// the vault. Neither file may exist yet.
    /// </summary>
    public static Vault CreateWithKeyFile(string path, string? keyFilePath = null)
    {
        path = VaultLocation.FullPath(path);
        keyFilePath = keyFilePath is null
            ? VaultLocation.DefaultKeyFilePath(path)
            : VaultLocation.FullPath(keyFilePath);
        EnsureVaultAbsent(path);

        var vaultId = Guid.NewGuid();
        using var kek = KeyFile.CreateNew(keyFilePath, vaultId);
        try
        {
            return Create(path, vaultId, kek, VaultProtection.KeyFile, keyFilePath, kdf: null);
        }
        catch
        {
            File.Delete(keyFilePath);
            throw;
        }
    }

    /// <summary>Creates a vault whose data key is wrapped under a key derived from a passphrase.</summary>
    public static Vault CreateWithPassphrase(string path, ReadOnlySpan<char> passphrase)
    {
        path = VaultLocation.FullPath(path);
        KdfParameters.EnsureAcceptable(passphrase, path);
        EnsureVaultAbsent(path);

        var kdf = KdfParameters.CreateNew();
        using var kek = kdf.DeriveKek(passphrase);
        return Create(path, Guid.NewGuid(), kek, VaultProtection.Passphrase, keyFilePath: null, kdf);
    }

    /// <summary>
    /// Opens an existing vault, locked. A key-file vault unlocks by itself on first use; a
    /// passphrase vault needs <see cref="Unlock"/>.
    /// </summary>
    public static Vault Open(string path)
    {
        path = VaultLocation.FullPath(path);
        var store = SqliteVaultStore.Open(path);
        try
        {
            var header = store.ReadHeader();
            header.Kdf?.EnsureStrongEnough(path);
            return new Vault(path, store, header, keys: null);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>Unlocks a passphrase vault; a wrong passphrase fails and changes nothing.</summary>
    public void Unlock(ReadOnlySpan<char> passphrase)
    {
        if (_header.Kdf is not { } kdf)
        {
            throw new PassManException(
                ErrorIds.ProtectionUnchanged,
                PassManErrorKind.InvalidArgument,
                $"The vault '{Path}' is protected by the key file '{KeyFilePath}', not by a passphrase.",
                Path);
        }

        using var kek = kdf.DeriveKek(passphrase);
        var keys = UnwrapAll(kek, () => new PassManException(
            ErrorIds.WrongPassphrase,
            PassManErrorKind.AuthenticationFailed,
            $"The passphrase does not open the vault '{Path}'. Nothing was changed.",
            Path));
        ReplaceKeys(keys);
        Change(() => Audit(AuditActions.VaultUnlocked, details: "with its passphrase"));
    }

    /// <summary>Unlocks a key-file vault by reading its key file, and records it in the audit log.</summary>
    public void UnlockWithKeyFile()
    {
        ReadKeyFile();
        Change(() => Audit(AuditActions.VaultUnlocked, details: "with its key file"));
    }

    private void ReadKeyFile()
    {
        if (_header.KeyFilePath is not { } keyFilePath)
        {
            throw new PassManException(
                ErrorIds.VaultLocked,
                PassManErrorKind.InvalidOperation,
                $"The vault '{Path}' is protected by a passphrase. Unlock it with Unlock-PMVault.",
                Path);
        }

        using var kek = KeyFile.Read(keyFilePath, Id);
        var keys = UnwrapAll(kek, () => new PassManException(
            ErrorIds.KeyFileInvalid,
            PassManErrorKind.InvalidData,
            $"The key file '{keyFilePath}' does not open the vault '{Path}': the key does not match.",
            keyFilePath));
        ReplaceKeys(keys);
    }

    /// <summary>
    /// Fails with VaultLocked unless the data keys are in memory or, for a key-file vault, can be
    /// read from the key file now.
    /// </summary>
    public void EnsureUnlocked() => RequireKeys();

    /// <summary>Drops the data keys from memory. A key-file vault reads its key file again when next needed.</summary>
    public void Lock() => ReplaceKeys(null);

    /// <summary>Describes the vault.</summary>
    public VaultInfo GetInfo()
    {
        var counts = _store.Count();
        return new VaultInfo(
            Path,
            Id,
            _store.SchemaVersion,
            Protection,
            KeyFilePath,
            isLocked: !IsUnlocked,
            _header.CreatedUtc,
            counts.Targets,
            counts.Accounts,
            counts.Credentials);
    }

    /// <summary>
    /// Protects the data keys with a new passphrase; from a key-file vault this switches to
    /// passphrase protection. The key file, if there was one, is left in place: backups taken before
    /// the change still need it.
    /// </summary>
    public void SetPassphrase(ReadOnlySpan<char> newPassphrase)
    {
        KdfParameters.EnsureAcceptable(newPassphrase, Path);
        var keys = RequireKeys();

        var kdf = KdfParameters.CreateNew();
        using var kek = kdf.DeriveKek(newPassphrase);
        var header = _header with { Protection = VaultProtection.Passphrase, KeyFilePath = null, Kdf = kdf };
        Change(() =>
        {
            _store.ReplaceProtection(new ProtectionChange(header, WrapAll(kek, Id, keys)));
            Audit(AuditActions.VaultProtectionChanged, details: "to a new passphrase");
        });
        _header = header;
    }

    /// <summary>
    /// Protects the data keys with a new key file, written at <paramref name="keyFilePath"/> or next
    /// to the vault; it must not exist yet. The previous key file, if any, is left in place.
    /// </summary>
    public void UseKeyFile(string? keyFilePath = null)
    {
        keyFilePath = keyFilePath is null
            ? VaultLocation.DefaultKeyFilePath(Path)
            : VaultLocation.FullPath(keyFilePath);
        if (Protection == VaultProtection.KeyFile && string.Equals(keyFilePath, KeyFilePath, StringComparison.Ordinal))
        {
            throw new PassManException(
                ErrorIds.ProtectionUnchanged,
                PassManErrorKind.InvalidArgument,
                $"The vault '{Path}' is protected by the key file '{keyFilePath}' already. "
                    + "Name another -KeyFilePath to move it to a new key.",
                Path);
        }

        var keys = RequireKeys();
        using var kek = KeyFile.CreateNew(keyFilePath, Id);
        try
        {
            var header = _header with { Protection = VaultProtection.KeyFile, KeyFilePath = keyFilePath, Kdf = null };
            Change(() =>
            {
                _store.ReplaceProtection(new ProtectionChange(header, WrapAll(kek, Id, keys)));
                Audit(AuditActions.VaultProtectionChanged, details: $"to the key file {keyFilePath}");
            });
            _header = header;
        }
        catch
        {
            File.Delete(keyFilePath);
            throw;
        }
    }

    /// <summary>
    /// Writes a consistent copy of the vault to <paramref name="destination"/> while it stays in use.
    /// The copy keeps the vault's protection: the same passphrase, or the same key file.
    /// </summary>
    public VaultBackup Backup(string destination, bool overwrite)
    {
        destination = VaultLocation.FullPath(destination);
        string[] ownFiles = [Path, Path + "-wal", Path + "-shm", Path + "-journal", KeyFilePath ?? Path];
        if (ownFiles.Any(file => VaultLocation.SamePath(destination, file)))
        {
            // Not even with -Force: replacing one of these would lose the vault or its only key.
            throw new PassManException(
                ErrorIds.InvalidPath,
                PassManErrorKind.InvalidArgument,
                "A vault cannot be backed up onto itself, its log files or its key file; name another -Destination.",
                destination);
        }

        if (File.Exists(destination) && !overwrite)
        {
            throw new PassManException(
                ErrorIds.BackupDestinationExists,
                PassManErrorKind.AlreadyExists,
                $"'{destination}' exists already. Add -Force to replace it.",
                destination);
        }

        var taken = DateTimeOffset.UtcNow;
        _store.BackupTo(destination);
        if (IsUnlocked || Protection == VaultProtection.KeyFile)
        {
            // A locked passphrase vault can still be copied, but has no key to sign the entry with.
            Change(() => Audit(AuditActions.VaultBackedUp, details: $"to {destination}"));
        }

        return new VaultBackup(destination, Path, Protection, KeyFilePath, new FileInfo(destination).Length, taken);
    }

    /// <summary>Decrypts a credential. The caller disposes the buffer, which clears it.</summary>
    public SecretBuffer ReadCredential(Guid credentialId)
    {
        var record = _store.FindCredential(credentialId) ?? throw new PassManException(
            ErrorIds.RecordNotFound,
            PassManErrorKind.NotFound,
            $"The vault holds no credential with id {credentialId}.",
            credentialId);
        return Unseal(record, record.Id, SecretField(record), record.Secret);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        ReplaceKeys(null);
        _store.Dispose();
    }

    /// <summary>
    /// The same vault, unlocked, on a connection of its own: for work that runs on other threads
    /// (a vault is used by one thread at a time). The caller disposes it. SQLite serializes the
    /// writes of all connections; each write waits for the others.
    /// </summary>
    public Vault Fork()
    {
        var keys = RequireKeys().Copy();
        var store = SqliteVaultStore.Open(Path);
        try
        {
            return new Vault(Path, store, store.ReadHeader(), keys) { SshOptions = SshOptions, Fault = Fault };
        }
        catch
        {
            store.Dispose();
            keys.Dispose();
            throw;
        }
    }

    private static Vault Create(
        string path,
        Guid vaultId,
        SecretBuffer kek,
        VaultProtection protection,
        string? keyFilePath,
        KdfParameters? kdf)
    {
        var dataKey = DataKey.Generate();
        var keys = new KeyRing(dataKey.Id, [dataKey]);
        try
        {
            var header = new VaultHeader(
                vaultId,
                DateTimeOffset.UtcNow,
                protection,
                keyFilePath,
                kdf,
                dataKey.Id,
                AuditKeyId: dataKey.Id);
            var store = SqliteVaultStore.Create(path, header, WrapAll(kek, vaultId, keys));
            var vault = new Vault(path, store, header, keys);
            vault.Change(() => vault.Audit(AuditActions.VaultCreated, details: $"protected by {protection}"));
            return vault;
        }
        catch
        {
            keys.Dispose();
            throw;
        }
    }

    private static void EnsureVaultAbsent(string path)
    {
        if (File.Exists(path))
        {
            throw new PassManException(
                ErrorIds.VaultExists,
                PassManErrorKind.AlreadyExists,
                $"A vault exists already at '{path}'. Open it with Unlock-PMVault, or choose another path.",
                path);
        }
    }

    private KeyRing RequireKeys()
    {
        if (_keys is null && Protection == VaultProtection.KeyFile)
        {
            ReadKeyFile();
        }

        return _keys ?? throw new PassManException(
            ErrorIds.VaultLocked,
            PassManErrorKind.InvalidOperation,
            $"The vault '{Path}' is locked. Unlock it with Unlock-PMVault.",
            Path);
    }

    private KeyRing UnwrapAll(SecretBuffer kek, Func<PassManException> wrongKey)
    {
        var unwrapped = new List<DataKey>();
        try
        {
            foreach (var wrapped in _store.ReadDataKeys())
            {
                unwrapped.Add(KeyWrap.TryUnwrap(kek.Span, Id, wrapped.KeyId, wrapped.Wrapped) ?? throw wrongKey());
            }

            return new KeyRing(_header.ActiveKeyId, unwrapped);
        }
        catch
        {
            unwrapped.ForEach(key => key.Dispose());
            throw;
        }
    }

    private static List<WrappedDataKey> WrapAll(SecretBuffer kek, Guid vaultId, KeyRing keys)
    {
        var now = DateTimeOffset.UtcNow;
        return keys.Keys.Select(key => new WrappedDataKey(key.Id, KeyWrap.Wrap(kek.Span, vaultId, key), now)).ToList();
    }

    private void ReplaceKeys(KeyRing? keys)
    {
        _auditKey?.Dispose();
        _auditKey = null;
        _historyKey?.Dispose();
        _historyKey = null;
        _keys?.Dispose();
        _keys = keys;
    }

    /// <summary>Runs <paramref name="work"/> in one write transaction, with the audit entries it adds.</summary>
    private T Change<T>(Func<T> work)
    {
        if (_scope is not null)
        {
            return work();
        }

        RequireKeys();
        using var scope = _store.BeginWrite();
        _scope = scope;
        try
        {
            var result = work();
            scope.Commit();
            return result;
        }
        finally
        {
            _scope = null;
        }
    }

    private void Change(Action work) => Change(() =>
    {
        work();
        return true;
    });

    /// <summary>
    /// Runs each item in a savepoint of one transaction: a failed item is undone alone and reported
    /// in its result, and the others commit together, so a batch costs one durable write.
    /// </summary>
    private IReadOnlyList<BatchResult<TResult>> Batch<TItem, TResult>(
        IReadOnlyList<TItem> items,
        Func<TItem, TResult> each)
    {
        return Change(() =>
        {
            var results = new List<BatchResult<TResult>>(items.Count);
            foreach (var item in items)
            {
                try
                {
                    results.Add(new BatchResult<TResult>(_scope!.Item(() => each(item)), null));
                }
                catch (PassManException e)
                {
                    results.Add(new BatchResult<TResult>(default, e));
                }
            }

            return (IReadOnlyList<BatchResult<TResult>>)results;
        });
    }

    /// <summary>Appends an entry to the audit chain inside the current write transaction.</summary>
    private void Audit(
        string action,
        string? target = null,
        string? userName = null,
        string? details = null,
        string outcome = "Success",
        string? errorId = null)
    {
        var key = _auditKey ??= AuditChain.DeriveKey(RequireKeys(), Id, _header.AuditKeyId);
        var head = _store.ReadAuditHead();
        var previous = head is null ? null : _store.ReadLastAuditMac();
        var unsigned = new AuditRecord(
            (head?.Sequence ?? 0) + 1,
            DateTimeOffset.UtcNow,
            s_osUser.Value,
            Environment.MachineName,
            action,
            target,
            userName,
            outcome,
            errorId,
            details,
            []);
        var mac = AuditChain.Mac(key, previous ?? AuditChain.Genesis(Id), unsigned);
        _store.AppendAudit(unsigned with { Mac = mac }, AuditChain.HeadMac(key, unsigned.Sequence, mac));
    }
}
