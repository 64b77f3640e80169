using System;
using System.Collections.Generic;
using System.Globalization;
using Microsoft.Data.Sqlite;
using PassMan.Model;

namespace PassMan.Storage.Sqlite;

/// <summary>
/// The vault's tables, as a list of migrations. Migration N takes a vault from schema version N-1
/// to N; the version is kept in SQLite's user_version. A migration is never edited once shipped:
/// a change to the schema is a new migration at the end of the list. A migration is SQL, or code
/// where SQL cannot do the work (such as folding names with .NET's Unicode tables).
/// </summary>
internal static class SqliteSchema
{
    /// <summary>Marks a SQLite file as a PassMan vault: "PMV1" in SQLite's application_id.</summary>
    public const int ApplicationId = 0x504D_5631;

    private static readonly Action<SqliteConnection>[] s_migrations =
    [
        // 1: the vault header, its data keys, and the first shape of targets, accounts and credentials.
        Statements(
            """
            CREATE TABLE vault (
                singleton      INTEGER PRIMARY KEY CHECK (singleton = 1),
                vault_id       TEXT NOT NULL,
                created_utc    TEXT NOT NULL,
                protection     TEXT NOT NULL CHECK (protection IN ('KeyFile', 'Passphrase')),
                key_file       TEXT,
                kdf_algorithm  TEXT,
                kdf_iterations INTEGER,
                kdf_salt       BLOB,
                active_key_id  TEXT NOT NULL
            ) STRICT
            """,
            """
            CREATE TABLE data_keys (
                key_id      TEXT PRIMARY KEY,
                wrapped     BLOB NOT NULL,
                wrapped_utc TEXT NOT NULL
            ) STRICT
            """,
            """
            CREATE TABLE targets (
                id          TEXT PRIMARY KEY,
                name        TEXT NOT NULL,
                host_name   TEXT NOT NULL,
                port        INTEGER NOT NULL,
                created_utc TEXT NOT NULL
            ) STRICT
            """,
            """
            CREATE TABLE accounts (
                id          TEXT PRIMARY KEY,
                target_id   TEXT NOT NULL REFERENCES targets (id),
                user_name   TEXT NOT NULL,
                created_utc TEXT NOT NULL,
                UNIQUE (target_id, user_name)
            ) STRICT
            """,
            """
            CREATE TABLE credentials (
                id              TEXT PRIMARY KEY,
                account_id      TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                credential_type TEXT NOT NULL,
                secret          BLOB NOT NULL,
                created_utc     TEXT NOT NULL
            ) STRICT
            """,
            "CREATE INDEX credentials_by_account ON credentials (account_id)"),

        // 2: the data model: folded name keys, policies, credential statuses, host keys, the audit log.
        AddDataModel,

        // 3: the public half of SSH key credentials, in clear: it is not secret, and it names the key.
        Statements(
            "ALTER TABLE credentials ADD COLUMN public_key TEXT",
            "ALTER TABLE credentials ADD COLUMN fingerprint TEXT"),

        // 4: versions and history: each credential's past values, and a keyed hash of each value
        // for the no-reuse rule; a pending value, written before a change on the target.
        Statements(
            "ALTER TABLE credentials ADD COLUMN version INTEGER NOT NULL DEFAULT 1",
            "ALTER TABLE credentials ADD COLUMN value_mac BLOB",
            "ALTER TABLE credentials ADD COLUMN changed_by TEXT",
            "ALTER TABLE credentials ADD COLUMN pending_secret BLOB",
            """
            CREATE TABLE credential_versions (
                id            TEXT PRIMARY KEY,
                credential_id TEXT NOT NULL REFERENCES credentials (id) ON DELETE CASCADE,
                version       INTEGER NOT NULL,
                secret        BLOB NOT NULL,
                value_mac     BLOB,
                public_key    TEXT,
                fingerprint   TEXT,
                created_utc   TEXT NOT NULL,
                created_by    TEXT,
                retired_utc   TEXT NOT NULL,
                UNIQUE (credential_id, version)
            ) STRICT
            """),

        // 5: host keys pinned per host and port, with the key itself once a server has shown it;
        // the fingerprints pinned so far move over, each waiting for its key.
        Statements(
            """
            CREATE TABLE host_keys (
                host_key    TEXT NOT NULL,
                port        INTEGER NOT NULL,
                fingerprint TEXT NOT NULL,
                key_type    TEXT,
                public_key  BLOB,
                pinned_utc  TEXT NOT NULL,
                PRIMARY KEY (host_key, port, fingerprint)
            ) STRICT
            """,
            """
            INSERT OR IGNORE INTO host_keys (host_key, port, fingerprint, pinned_utc)
            SELECT lower(t.host_name), t.port, k.fingerprint, t.modified_utc
            FROM target_host_keys k JOIN targets t ON t.id = k.target_id
            """,
            "DROP TABLE target_host_keys"),

        // 6: how many SSH connections a bulk run may hold open to each target at once.
        Statements("ALTER TABLE targets ADD COLUMN max_connections INTEGER NOT NULL DEFAULT 3"),
    ];

    /// <summary>The schema version this build of PassMan writes.</summary>
    public static int LatestVersion => s_migrations.Length;

    /// <summary>Applies every migration after <paramref name="fromVersion"/>, each in its own transaction.</summary>
    public static void Migrate(SqliteConnection connection, int fromVersion, int toVersion = int.MaxValue)
    {
        for (var version = fromVersion + 1; version <= Math.Min(LatestVersion, toVersion); version++)
        {
            using var transaction = connection.BeginTransaction();
            s_migrations[version - 1](connection);

            // PRAGMA takes no parameters; the value is a number from this list, never outside input.
            Execute(connection, "PRAGMA user_version = " + version.ToString(CultureInfo.InvariantCulture));
            transaction.Commit();
        }
    }

    private static Action<SqliteConnection> Statements(params string[] statements) => connection =>
    {
        foreach (var statement in statements)
        {
            Execute(connection, statement);
        }
    };

    private static void AddDataModel(SqliteConnection connection)
    {
        Statements(
            "ALTER TABLE vault ADD COLUMN audit_key_id TEXT",
            "UPDATE vault SET audit_key_id = active_key_id",
            "ALTER TABLE targets ADD COLUMN name_key TEXT",
            "ALTER TABLE targets ADD COLUMN platform TEXT NOT NULL DEFAULT 'Linux'",
            "ALTER TABLE targets ADD COLUMN description TEXT",
            "ALTER TABLE targets ADD COLUMN modified_utc TEXT",
            "UPDATE targets SET modified_utc = created_utc",
            """
            CREATE TABLE policies (
                id                   TEXT PRIMARY KEY,
                name                 TEXT NOT NULL,
                name_key             TEXT NOT NULL UNIQUE,
                password_length      INTEGER NOT NULL,
                min_upper            INTEGER NOT NULL,
                min_lower            INTEGER NOT NULL,
                min_digit            INTEGER NOT NULL,
                min_special          INTEGER NOT NULL,
                special_characters   TEXT NOT NULL,
                forbidden_characters TEXT NOT NULL,
                history              INTEGER NOT NULL,
                pin_length           INTEGER NOT NULL,
                ssh_key_type         TEXT NOT NULL,
                rsa_key_size         INTEGER NOT NULL,
                created_utc          TEXT NOT NULL,
                modified_utc         TEXT NOT NULL
            ) STRICT
            """,
            "ALTER TABLE accounts ADD COLUMN user_key TEXT",
            "ALTER TABLE accounts ADD COLUMN policy_id TEXT REFERENCES policies (id)",
            "ALTER TABLE accounts ADD COLUMN reconcile_account_id TEXT REFERENCES accounts (id)",
            "ALTER TABLE accounts ADD COLUMN description TEXT",
            "ALTER TABLE accounts ADD COLUMN status TEXT NOT NULL DEFAULT 'Unknown'",
            "ALTER TABLE accounts ADD COLUMN modified_utc TEXT",
            "UPDATE accounts SET modified_utc = created_utc",
            "ALTER TABLE credentials ADD COLUMN key_type TEXT",
            "ALTER TABLE credentials ADD COLUMN status TEXT",
            "ALTER TABLE credentials ADD COLUMN changed_utc TEXT",
            "ALTER TABLE credentials ADD COLUMN verified_utc TEXT",
            """
            UPDATE credentials SET changed_utc = created_utc,
                                   status = CASE credential_type WHEN 'Pin' THEN NULL ELSE 'Unknown' END
            """,
            """
            CREATE TABLE target_host_keys (
                target_id   TEXT NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
                fingerprint TEXT NOT NULL,
                PRIMARY KEY (target_id, fingerprint)
            ) STRICT
            """,
            """
            CREATE TABLE audit_log (
                sequence   INTEGER PRIMARY KEY,
                time_utc   TEXT NOT NULL,
                os_user    TEXT NOT NULL,
                machine    TEXT NOT NULL,
                action     TEXT NOT NULL,
                target     TEXT,
                target_key TEXT,
                user_name  TEXT,
                user_key   TEXT,
                outcome    TEXT NOT NULL,
                error_id   TEXT,
                details    TEXT,
                mac        BLOB NOT NULL
            ) STRICT
            """,
            """
            CREATE TABLE audit_head (
                singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
                sequence  INTEGER NOT NULL,
                mac       BLOB NOT NULL
            ) STRICT
            """)(connection);

        // Names folded in .NET, as every later write folds them.
        Fold(connection, "targets", "name", "name_key");
        Fold(connection, "accounts", "user_name", "user_key");

        Statements(
            "CREATE UNIQUE INDEX targets_by_name_key ON targets (name_key)",
            "CREATE UNIQUE INDEX accounts_by_target_user ON accounts (target_id, user_key)",
            "CREATE INDEX accounts_by_status ON accounts (status)",
            "CREATE INDEX accounts_by_policy ON accounts (policy_id)",
            "CREATE INDEX accounts_by_reconcile ON accounts (reconcile_account_id)",
            """
            CREATE UNIQUE INDEX credentials_one_per_type
            ON credentials (account_id, credential_type, coalesce(key_type, ''))
            """,
            "CREATE INDEX audit_by_target ON audit_log (target_key)",
            "CREATE INDEX audit_by_time ON audit_log (time_utc)")(connection);

        var now = DateTimeOffset.UtcNow.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
        var defaults = new PolicySettings();
        using var insert = connection.CreateCommand();
        insert.CommandText = """
            INSERT INTO policies (id, name, name_key, password_length, min_upper, min_lower, min_digit, min_special,
                                  special_characters, forbidden_characters, history, pin_length, ssh_key_type,
                                  rsa_key_size, created_utc, modified_utc)
            VALUES ($id, $name, $key, $length, $upper, $lower, $digit, $special, $specials, '', $history, $pin,
                    $keyType, $rsa, $now, $now)
            """;
        insert.Parameters.AddWithValue("$id", Guid.NewGuid().ToString("D"));
        insert.Parameters.AddWithValue("$name", Policy.DefaultName);
        insert.Parameters.AddWithValue("$key", Names.Fold(Policy.DefaultName));
        insert.Parameters.AddWithValue("$length", defaults.PasswordLength);
        insert.Parameters.AddWithValue("$upper", defaults.MinUpperCase);
        insert.Parameters.AddWithValue("$lower", defaults.MinLowerCase);
        insert.Parameters.AddWithValue("$digit", defaults.MinDigit);
        insert.Parameters.AddWithValue("$special", defaults.MinSpecial);
        insert.Parameters.AddWithValue("$specials", defaults.SpecialCharacters);
        insert.Parameters.AddWithValue("$history", defaults.History);
        insert.Parameters.AddWithValue("$pin", defaults.PinLength);
        insert.Parameters.AddWithValue("$keyType", defaults.SshKeyType);
        insert.Parameters.AddWithValue("$rsa", defaults.RsaKeySize);
        insert.Parameters.AddWithValue("$now", now);
        insert.ExecuteNonQuery();
    }

    private static void Fold(SqliteConnection connection, string table, string column, string keyColumn)
    {
        // Identifiers come from the calls above, never from input; values go as parameters.
        var rows = new List<(string Id, string Name)>();
        using (var select = connection.CreateCommand())
        {
            select.CommandText = $"SELECT id, {column} FROM {table}";
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                rows.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        foreach (var (id, name) in rows)
        {
            using var update = connection.CreateCommand();
            update.CommandText = $"UPDATE {table} SET {keyColumn} = $key WHERE id = $id";
            update.Parameters.AddWithValue("$key", Names.Fold(name));
            update.Parameters.AddWithValue("$id", id);
            update.ExecuteNonQuery();
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
