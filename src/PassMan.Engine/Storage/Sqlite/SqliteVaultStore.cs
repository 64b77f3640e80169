using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using Microsoft.Data.Sqlite;
using PassMan.Crypto;

namespace PassMan.Storage.Sqlite;

/// <summary>
/// The vault in one SQLite file: write-ahead logging, full synchronous commits (what is reported
/// as saved survives a power cut), freed pages overwritten with zeros, and parameterised SQL only.
/// </summary>
public sealed partial class SqliteVaultStore : IVaultStore
{
    private const int SqliteCorrupt = 11;
    private const int SqliteNotADatabase = 26;
    private const int BusyTimeoutMilliseconds = 10_000;

    // The statements a store has prepared are kept up to this many; past it they are all dropped
    // and prepared again as used. Queries whose text varies (listings by filter) stay few, but a
    // text built from a caller's number must not grow the cache without end.
    private const int MaxPreparedStatements = 128;

    private readonly SqliteConnection _connection;
    private readonly Dictionary<string, SqliteCommand> _prepared = new(StringComparer.Ordinal);
    private WriteScope? _scope;

    private SqliteVaultStore(string path, SqliteConnection connection, int schemaVersion)
    {
        Location = path;
        _connection = connection;
        SchemaVersion = schemaVersion;
    }

    /// <inheritdoc/>
    public string Location { get; }

    /// <inheritdoc/>
    public int SchemaVersion { get; }

    /// <summary>The schema version this build writes; vaults with a higher one are refused.</summary>
    public static int LatestSchemaVersion => SqliteSchema.LatestVersion;

    /// <summary>Creates a new vault file at <paramref name="path"/>, which must not exist.</summary>
    public static SqliteVaultStore Create(string path, VaultHeader header, IReadOnlyList<WrappedDataKey> keys)
    {
        if (File.Exists(path))
        {
            throw new PassManException(
                ErrorIds.VaultExists,
                PassManErrorKind.AlreadyExists,
                $"A vault exists already at '{path}'. Open it with Unlock-PMVault, or choose another path.",
                path);
        }

        SqliteConnection? connection = null;
        try
        {
            OwnerOnlyFiles.CreateDirectory(Path.GetDirectoryName(path)!);

            // An empty file is a valid new SQLite database; creating it here gives it its mode.
            OwnerOnlyFiles.CreateNew(path).Dispose();

            connection = Connect(path);
            Execute(connection, "PRAGMA journal_mode = WAL");
            Execute(connection, "PRAGMA application_id = " + Number(SqliteSchema.ApplicationId));
            SqliteSchema.Migrate(connection, fromVersion: 0);

            var store = new SqliteVaultStore(path, connection, SqliteSchema.LatestVersion);
            using (var scope = store.BeginWrite())
            {
                store.WriteProtection(new ProtectionChange(header, keys), insert: true);
                scope.Commit();
            }

            return store;
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            connection?.Dispose();
            DeleteVaultFiles(path);
            throw Translate(e, path);
        }
        catch
        {
            connection?.Dispose();
            DeleteVaultFiles(path);
            throw;
        }
    }

    /// <summary>Opens the vault file at <paramref name="path"/>, upgrading an older schema.</summary>
    public static SqliteVaultStore Open(string path)
    {
        if (!File.Exists(path))
        {
            throw new PassManException(
                ErrorIds.VaultNotFound,
                PassManErrorKind.NotFound,
                $"No vault at '{path}'. Create one with New-PMVault, or name another with -Path or $env:PASSMAN_VAULT.",
                path);
        }

        var leftovers = new SidecarFiles(path);
        SqliteConnection? connection = null;
        try
        {
            connection = Connect(path);

            // Read the file's identity before anything can write to it.
            var applicationId = IntegerPragma(connection, "application_id");
            var version = IntegerPragma(connection, "user_version");
            if (applicationId != SqliteSchema.ApplicationId)
            {
                throw NotAVault(path, "it is a SQLite database of another application");
            }

            if (version > SqliteSchema.LatestVersion)
            {
                throw new PassManException(
                    ErrorIds.VaultFormatTooNew,
                    PassManErrorKind.InvalidData,
                    $"The vault '{path}' has format version {version}, written by a newer PassMan; this one reads "
                        + $"up to version {SqliteSchema.LatestVersion}. Update PassMan to open it.",
                    path);
            }

            var journalMode = Scalar(connection, "PRAGMA journal_mode") as string;
            if (!string.Equals(journalMode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                Execute(connection, "PRAGMA journal_mode = WAL");
            }

            SqliteSchema.Migrate(connection, version);
            var store = new SqliteVaultStore(path, connection, SqliteSchema.LatestVersion);
            store.ReadHeader();
            return store;
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            connection?.Dispose();
            leftovers.RemoveNew();
            throw Translate(e, path);
        }
        catch
        {
            connection?.Dispose();
            leftovers.RemoveNew();
            throw;
        }
    }

    /// <summary>
    /// The -wal and -shm files SQLite makes beside a WAL-mode database as soon as it reads one. On
    /// a damaged file the checkpoint at close fails and they stay behind, so a refused open would
    /// leave two new files next to the vault. Those that did not exist before the open, and a WAL
    /// that is still empty, hold nothing: they are removed. A process that opens the same file in
    /// the instant between the failed open and the removal would lose its -shm; it would be
    /// opening a file that just failed to open, and fail the same way.
    /// </summary>
    private sealed class SidecarFiles(string path)
    {
        private readonly bool _walExisted = File.Exists(path + "-wal");
        private readonly bool _shmExisted = File.Exists(path + "-shm");

        public void RemoveNew()
        {
            if (_walExisted || _shmExisted)
            {
                return;
            }

            try
            {
                var wal = new FileInfo(path + "-wal");
                if (wal.Exists && wal.Length > 0)
                {
                    return;
                }

                wal.Delete();
                File.Delete(path + "-shm");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort: the open has failed already, and that is the error to report.
            }
        }
    }

    /// <inheritdoc/>
    public IWriteScope BeginWrite()
    {
        if (_scope is not null)
        {
            throw new InvalidOperationException("A write scope is open already on this store.");
        }

        try
        {
            // BEGIN IMMEDIATE: the write lock is taken now, so the audit head read next cannot go stale.
            _scope = new WriteScope(this, _connection.BeginTransaction(deferred: false));
            return _scope;
        }
        catch (SqliteException e)
        {
            throw Translate(e, Location);
        }
    }

    /// <inheritdoc/>
    public VaultHeader ReadHeader() => Run(() =>
    {
        var command = Command(
            """
            SELECT vault_id, created_utc, protection, key_file, kdf_algorithm, kdf_iterations, kdf_salt,
                   active_key_id, audit_key_id
            FROM vault WHERE singleton = 1
            """);
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            throw Corrupt("its header record is missing");
        }

        var protection = Enum.Parse<VaultProtection>(reader.GetString(2));
        KdfParameters? kdf = null;
        if (protection == VaultProtection.Passphrase)
        {
            if (reader.IsDBNull(4) || reader.IsDBNull(5) || reader.IsDBNull(6))
            {
                throw Corrupt("its passphrase parameters are missing");
            }

            kdf = new KdfParameters(reader.GetString(4), reader.GetInt32(5), (byte[])reader.GetValue(6));
        }
        else if (reader.IsDBNull(3))
        {
            throw Corrupt("it names no key file");
        }

        return new VaultHeader(
            Guid.Parse(reader.GetString(0)),
            ParseTime(reader.GetString(1)),
            protection,
            reader.IsDBNull(3) ? null : reader.GetString(3),
            kdf,
            Guid.Parse(reader.GetString(7)),
            reader.IsDBNull(8) ? Guid.Parse(reader.GetString(7)) : Guid.Parse(reader.GetString(8)));
    });

    /// <inheritdoc/>
    public IReadOnlyList<WrappedDataKey> ReadDataKeys() => Run(() =>
    {
        var command = Command("SELECT key_id, wrapped, wrapped_utc FROM data_keys");
        using var reader = command.ExecuteReader();
        var keys = new List<WrappedDataKey>();
        while (reader.Read())
        {
            keys.Add(new WrappedDataKey(
                Guid.Parse(reader.GetString(0)),
                (byte[])reader.GetValue(1),
                ParseTime(reader.GetString(2))));
        }

        return (IReadOnlyList<WrappedDataKey>)keys;
    });

    /// <inheritdoc/>
    public void ReplaceProtection(ProtectionChange change)
    {
        WriteProtection(change, insert: false);

        // After the commit, move the new wrapping into the main file, so the old one does not linger in the log.
        _scope!.CheckpointAfterCommit = true;
    }

    /// <inheritdoc/>
    public VaultCounts Count() => Run(() =>
    {
        var command = Command(
            """
            SELECT (SELECT count(*) FROM targets), (SELECT count(*) FROM accounts), (SELECT count(*) FROM credentials)
            """);
        using var reader = command.ExecuteReader();
        reader.Read();
        return new VaultCounts(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    });

    /// <inheritdoc/>
    public void BackupTo(string destinationPath)
    {
        var folder = Path.GetDirectoryName(destinationPath)!;
        var temporary = Path.Combine(folder, $".{Path.GetFileName(destinationPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            OwnerOnlyFiles.CreateDirectory(folder);
            OwnerOnlyFiles.CreateNew(temporary).Dispose();
            using (var destination = Connect(temporary))
            {
                // One step under one read transaction: a snapshot of what was committed when it began.
                _connection.BackupDatabase(destination);
                if (Scalar(destination, "PRAGMA quick_check") as string != "ok")
                {
                    throw Corrupt("its backup copy failed SQLite's integrity check");
                }
            }

            File.Move(temporary, destinationPath, overwrite: true);
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            DeleteVaultFiles(temporary);
            throw Translate(e, destinationPath);
        }
        catch
        {
            DeleteVaultFiles(temporary);
            throw;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        DropPreparedStatements();
        _connection.Dispose();
    }

    /// <summary>Deletes a vault file together with its write-ahead log and shared-memory files.</summary>
    public static void DeleteVaultFiles(string path)
    {
        foreach (var file in new[] { path, path + "-wal", path + "-shm", path + "-journal" })
        {
            try
            {
                File.Delete(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort: a leftover file cannot hold a secret, and the caller reports the first error.
            }
        }
    }

    private static SqliteConnection Connect(string path)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWrite,

            // A pooled connection keeps the file open after Dispose; the vault must be closable.
            Pooling = false,
        };
        var connection = new SqliteConnection(builder.ToString());
        connection.Open();
        Execute(connection, "PRAGMA busy_timeout = " + Number(BusyTimeoutMilliseconds));
        Execute(connection, "PRAGMA foreign_keys = ON");
        Execute(connection, "PRAGMA secure_delete = ON");
        Execute(connection, "PRAGMA synchronous = FULL");
        return connection;
    }

    private void WriteProtection(ProtectionChange change, bool insert)
    {
        var header = change.Header;
        var written = Write(
            insert
                ? """
                  INSERT INTO vault (singleton, vault_id, created_utc, protection, key_file,
                                     kdf_algorithm, kdf_iterations, kdf_salt, active_key_id, audit_key_id)
                  VALUES (1, $vault, $created, $protection, $keyFile, $kdfAlgorithm, $kdfIterations, $kdfSalt,
                          $activeKey, $auditKey)
                  """
                : """
                  UPDATE vault SET protection = $protection, key_file = $keyFile, kdf_algorithm = $kdfAlgorithm,
                                   kdf_iterations = $kdfIterations, kdf_salt = $kdfSalt,
                                   active_key_id = $activeKey, audit_key_id = $auditKey
                  WHERE singleton = 1 AND vault_id = $vault
                  """,
            ("$vault", Text(header.VaultId)),
            ("$created", Text(header.CreatedUtc)),
            ("$protection", header.Protection.ToString()),
            ("$keyFile", header.KeyFilePath),
            ("$kdfAlgorithm", header.Kdf?.Algorithm),
            ("$kdfIterations", header.Kdf?.Iterations),
            ("$kdfSalt", header.Kdf?.Salt),
            ("$activeKey", Text(header.ActiveKeyId)),
            ("$auditKey", Text(header.AuditKeyId)));
        if (written != 1)
        {
            throw Corrupt("its header record is missing");
        }

        Write("DELETE FROM data_keys");
        foreach (var key in change.Keys)
        {
            Write(
                "INSERT INTO data_keys (key_id, wrapped, wrapped_utc) VALUES ($id, $wrapped, $wrapped_utc)",
                ("$id", Text(key.KeyId)),
                ("$wrapped", key.Wrapped),
                ("$wrapped_utc", Text(key.WrappedUtc)));
        }
    }

    private int Write(string sql, params (string Name, object? Value)[] parameters) => Run(() =>
    {
        if (_scope is null)
        {
            throw new InvalidOperationException("Writes to the vault happen inside BeginWrite.");
        }

        return Command(sql, parameters).ExecuteNonQuery();
    });

    private SqliteCommand Command(string sql, params (string Name, object? Value)[] parameters)
    {
        var command = Command(sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    /// <summary>
    /// Streams rows from a query on a connection of its own, so that the caller can write through
    /// this store while it iterates; the rows are those committed when the query began. Inside a
    /// write scope the rows come from the scope's own connection instead, including its changes.
    /// </summary>
    /// <remarks>
    /// The snapshot costs disk and memory when the caller writes as it reads: while the query's read
    /// transaction is open, SQLite cannot checkpoint the write-ahead log past it, so the log grows by
    /// every change until the rows end, and its index with it (a vault-only reset writes about 20 KB
    /// of log). The account listing, which bulk pipelines start from, reads in pages for this reason,
    /// unless it filters by status or id: such a listing still reads one snapshot.
    /// </remarks>
    private IEnumerable<T> Stream<T>(
        string sql,
        (string Name, object? Value)[] parameters,
        Func<SqliteDataReader, T> map)
    {
        if (_scope is not null)
        {
            // Inside a write scope only this connection sees the scope's changes; read them all at once.
            return Run(() =>
            {
                using var reader = Command(sql, parameters).ExecuteReader();
                var rows = new List<T>();
                while (reader.Read())
                {
                    rows.Add(map(reader));
                }

                return rows;
            });
        }

        return StreamOnOwnConnection(sql, parameters, map);
    }

    private IEnumerable<T> StreamOnOwnConnection<T>(
        string sql,
        (string Name, object? Value)[] parameters,
        Func<SqliteDataReader, T> map)
    {
        using var connection = Run(() => Connect(Location));
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        using var reader = Run(command.ExecuteReader);
        while (Run(reader.Read))
        {
            yield return Run(() => map(reader));
        }
    }

    private T? Single<T>(string sql, Func<SqliteDataReader, T> map, params (string Name, object? Value)[] parameters)
        where T : class => Run(() =>
    {
        using var reader = Command(sql, parameters).ExecuteReader();
        return reader.Read() ? map(reader) : null;
    });

    private long CountOf(string sql, params (string Name, object? Value)[] parameters) =>
        Run(() => Convert.ToInt64(Command(sql, parameters).ExecuteScalar(), CultureInfo.InvariantCulture));

    private static string? Text(Guid? id) => id?.ToString("D");

    private static string? Text(DateTimeOffset? time) => time is { } t ? Text(t) : null;

    private static Guid? OptionalGuid(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : Guid.Parse(reader.GetString(ordinal));

    private static string? OptionalText(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static DateTimeOffset? OptionalTime(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : ParseTime(reader.GetString(ordinal));

    /// <summary>The write transaction, with a savepoint for each item of a batch.</summary>
    private sealed class WriteScope : IWriteScope
    {
        private readonly SqliteVaultStore _store;
        private readonly SqliteTransaction _transaction;
        private bool _done;

        public WriteScope(SqliteVaultStore store, SqliteTransaction transaction)
        {
            _store = store;
            _transaction = transaction;
        }

        public T Item<T>(Func<T> work)
        {
            // As SqliteTransaction.Save and Release do, but through the store's prepared statements:
            // a batch opens and closes one savepoint per item.
            _store.Run(() => _store.Command("SAVEPOINT item").ExecuteNonQuery());
            try
            {
                var result = work();
                _store.Run(() => _store.Command("RELEASE SAVEPOINT item").ExecuteNonQuery());
                return result;
            }
            catch
            {
                _store.Run(() =>
                {
                    _transaction.Rollback("item");
                    _transaction.Release("item");
                    return 0;
                });
                throw;
            }
        }

        public bool CheckpointAfterCommit { get; set; }

        public SqliteTransaction Transaction => _transaction;

        public void Commit()
        {
            _store.Run(() =>
            {
                _transaction.Commit();
                return 0;
            });
            _done = true;
            _store._scope = null;
            if (CheckpointAfterCommit)
            {
                _store.Run(() =>
                {
                    Execute(_store._connection, "PRAGMA wal_checkpoint(TRUNCATE)");
                    return 0;
                });
            }
        }

        public void Dispose()
        {
            if (!_done)
            {
                try
                {
                    _transaction.Rollback();
                }
                catch (SqliteException)
                {
                    // The transaction is gone with its connection's error; nothing was committed.
                }

                _store._scope = null;
            }

            _transaction.Dispose();
        }
    }

    private T Run<T>(Func<T> operation)
    {
        try
        {
            return operation();
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            throw Translate(e, Location);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidCastException
            or OverflowException)
        {
            // A stored value that does not parse: a row changed behind PassMan's back.
            throw Corrupt(Location, "a row holds a value PassMan does not read (" + e.Message + ")", e);
        }
    }

    /// <summary>
    /// The command for <paramref name="sql"/> on this store's connection, without parameters. It is
    /// the store's to keep, not the caller's to dispose: SQLite compiles its statement once, on first
    /// use, and a bulk run that repeats the same few statements per item does not compile them anew
    /// for every row. A query may run another while its reader is open, but never its own statement
    /// again: Microsoft.Data.Sqlite refuses to execute a command whose reader is still open, so such
    /// a mistake fails loudly instead of mixing two rows.
    /// </summary>
    private SqliteCommand Command(string sql)
    {
        if (!_prepared.TryGetValue(sql, out var command))
        {
            if (_prepared.Count >= MaxPreparedStatements)
            {
                DropPreparedStatements();
            }

            command = _connection.CreateCommand();
            command.CommandText = sql;
            _prepared.Add(sql, command);
        }

        // A command runs in the connection's transaction, which changes from one write to the next.
        command.Transaction = _scope?.Transaction;
        command.Parameters.Clear();
        return command;
    }

    private void DropPreparedStatements()
    {
        foreach (var command in _prepared.Values)
        {
            command.Dispose();
        }

        _prepared.Clear();
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string Text(Guid id) => id.ToString("D");

    private static string Text(DateTimeOffset time) => time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseTime(string text) => DateTimeOffset.Parse(
        text,
        CultureInfo.InvariantCulture,
        DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private static int IntegerPragma(SqliteConnection connection, string name) =>
        Convert.ToInt32(Scalar(connection, "PRAGMA " + name), CultureInfo.InvariantCulture);

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static PassManException Translate(Exception e, string path) => e switch
    {
        PassManException known => known,
        SqliteException { SqliteErrorCode: SqliteNotADatabase } => NotAVault(path, "it is not a SQLite database", e),
        SqliteException { SqliteErrorCode: SqliteCorrupt } => Corrupt(path, "SQLite reports damaged pages", e),
        SqliteException sqlite => new PassManException(
            ErrorIds.VaultIOError,
            PassManErrorKind.ResourceUnavailable,
            $"The vault '{path}' could not be read or written: {sqlite.Message}",
            path,
            e),
        _ => new PassManException(
            ErrorIds.VaultIOError,
            PassManErrorKind.ResourceUnavailable,
            $"The vault file '{path}' could not be read or written: {e.Message}",
            path,
            e),
    };

    private PassManException Corrupt(string reason) => Corrupt(Location, reason);

    private static PassManException Corrupt(string path, string reason, Exception? inner = null) => new(
        ErrorIds.VaultCorrupt,
        PassManErrorKind.InvalidData,
        $"The vault '{path}' is damaged: {reason}. Restore it from a backup (Backup-PMVault makes one).",
        path,
        inner);

    private static PassManException NotAVault(string path, string reason, Exception? inner = null) => new(
        ErrorIds.NotAVault,
        PassManErrorKind.InvalidData,
        $"'{path}' is not a PassMan vault: {reason}.",
        path,
        inner);
}
