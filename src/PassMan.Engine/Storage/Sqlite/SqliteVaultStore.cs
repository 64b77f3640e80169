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
public sealed class SqliteVaultStore : IVaultStore
{
    private const int SqliteCorrupt = 11;
    private const int SqliteNotADatabase = 26;
    private const int BusyTimeoutMilliseconds = 10_000;

    private readonly SqliteConnection _connection;

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
            store.WriteProtection(new ProtectionChange(header, keys), insert: true);
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
            throw Translate(e, path);
        }
        catch
        {
            connection?.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public VaultHeader ReadHeader() => Run(() =>
    {
        using var command = Command(
            """
            SELECT vault_id, created_utc, protection, key_file, kdf_algorithm, kdf_iterations, kdf_salt, active_key_id
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
            Guid.Parse(reader.GetString(7)));
    });

    /// <inheritdoc/>
    public IReadOnlyList<WrappedDataKey> ReadDataKeys() => Run(() =>
    {
        using var command = Command("SELECT key_id, wrapped, wrapped_utc FROM data_keys");
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
    public void ReplaceProtection(ProtectionChange change) => Run(() =>
    {
        WriteProtection(change, insert: false);

        // Move the new wrapping into the main file now, so the old one does not linger in the log.
        Execute(_connection, "PRAGMA wal_checkpoint(TRUNCATE)");
        return 0;
    });

    /// <inheritdoc/>
    public VaultCounts Count() => Run(() =>
    {
        using var command = Command(
            """
            SELECT (SELECT count(*) FROM targets), (SELECT count(*) FROM accounts), (SELECT count(*) FROM credentials)
            """);
        using var reader = command.ExecuteReader();
        reader.Read();
        return new VaultCounts(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    });

    /// <inheritdoc/>
    public void InsertTarget(TargetRecord target) => Write(
        "INSERT INTO targets (id, name, host_name, port, created_utc) VALUES ($id, $name, $host, $port, $created)",
        ("$id", Text(target.Id)),
        ("$name", target.Name),
        ("$host", target.HostName),
        ("$port", target.Port),
        ("$created", Text(target.CreatedUtc)));

    /// <inheritdoc/>
    public void InsertAccount(AccountRecord account) => Write(
        "INSERT INTO accounts (id, target_id, user_name, created_utc) VALUES ($id, $target, $user, $created)",
        ("$id", Text(account.Id)),
        ("$target", Text(account.TargetId)),
        ("$user", account.UserName),
        ("$created", Text(account.CreatedUtc)));

    /// <inheritdoc/>
    public void InsertCredential(CredentialRecord credential) => Write(
        """
        INSERT INTO credentials (id, account_id, credential_type, secret, created_utc)
        VALUES ($id, $account, $type, $secret, $created)
        """,
        ("$id", Text(credential.Id)),
        ("$account", Text(credential.AccountId)),
        ("$type", credential.CredentialType),
        ("$secret", credential.Secret),
        ("$created", Text(credential.CreatedUtc)));

    /// <inheritdoc/>
    public CredentialRecord? FindCredential(Guid id) => Run(() =>
    {
        using var command = Command(
            "SELECT id, account_id, credential_type, secret, created_utc FROM credentials WHERE id = $id");
        command.Parameters.AddWithValue("$id", Text(id));
        using var reader = command.ExecuteReader();
        return reader.Read()
            ? new CredentialRecord(
                Guid.Parse(reader.GetString(0)),
                Guid.Parse(reader.GetString(1)),
                reader.GetString(2),
                (byte[])reader.GetValue(3),
                ParseTime(reader.GetString(4)))
            : null;
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
    public void Dispose() => _connection.Dispose();

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
        using var transaction = _connection.BeginTransaction();

        using (var command = Command(insert
            ? """
              INSERT INTO vault (singleton, vault_id, created_utc, protection, key_file,
                                 kdf_algorithm, kdf_iterations, kdf_salt, active_key_id)
              VALUES (1, $vault, $created, $protection, $keyFile, $kdfAlgorithm, $kdfIterations, $kdfSalt, $activeKey)
              """
            : """
              UPDATE vault SET protection = $protection, key_file = $keyFile, kdf_algorithm = $kdfAlgorithm,
                               kdf_iterations = $kdfIterations, kdf_salt = $kdfSalt, active_key_id = $activeKey
              WHERE singleton = 1 AND vault_id = $vault
              """))
        {
            command.Parameters.AddWithValue("$vault", Text(header.VaultId));
            command.Parameters.AddWithValue("$created", Text(header.CreatedUtc));
            command.Parameters.AddWithValue("$protection", header.Protection.ToString());
            command.Parameters.AddWithValue("$keyFile", (object?)header.KeyFilePath ?? DBNull.Value);
            command.Parameters.AddWithValue("$kdfAlgorithm", (object?)header.Kdf?.Algorithm ?? DBNull.Value);
            command.Parameters.AddWithValue("$kdfIterations", (object?)header.Kdf?.Iterations ?? DBNull.Value);
            command.Parameters.AddWithValue("$kdfSalt", (object?)header.Kdf?.Salt ?? DBNull.Value);
            command.Parameters.AddWithValue("$activeKey", Text(header.ActiveKeyId));
            if (command.ExecuteNonQuery() != 1)
            {
                throw Corrupt("its header record is missing");
            }
        }

        Execute(_connection, "DELETE FROM data_keys");
        foreach (var key in change.Keys)
        {
            using var command = Command(
                "INSERT INTO data_keys (key_id, wrapped, wrapped_utc) VALUES ($id, $wrapped, $wrapped_utc)");
            command.Parameters.AddWithValue("$id", Text(key.KeyId));
            command.Parameters.AddWithValue("$wrapped", key.Wrapped);
            command.Parameters.AddWithValue("$wrapped_utc", Text(key.WrappedUtc));
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    private void Write(string sql, params (string Name, object Value)[] parameters) => Run(() =>
    {
        using var command = Command(sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command.ExecuteNonQuery();
    });

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
    }

    private SqliteCommand Command(string sql)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        return command;
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
