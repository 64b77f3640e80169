using System.Globalization;
using Microsoft.Data.Sqlite;

namespace PassMan.Storage.Sqlite;

/// <summary>
/// The vault's tables, as a list of migrations. Migration N takes a vault from schema version N-1
/// to N; the version is kept in SQLite's user_version. A migration is never edited once shipped:
/// a change to the schema is a new migration at the end of the list.
/// </summary>
internal static class SqliteSchema
{
    /// <summary>Marks a SQLite file as a PassMan vault: "PMV1" in SQLite's application_id.</summary>
    public const int ApplicationId = 0x504D_5631;

    private static readonly string[][] s_migrations =
    [
        // 1: the vault header, its data keys, and the first shape of targets, accounts and credentials.
        [
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
            "CREATE INDEX credentials_by_account ON credentials (account_id)",
        ],
    ];

    /// <summary>The schema version this build of PassMan writes.</summary>
    public static int LatestVersion => s_migrations.Length;

    /// <summary>Applies every migration after <paramref name="fromVersion"/>, each in its own transaction.</summary>
    public static void Migrate(SqliteConnection connection, int fromVersion)
    {
        for (var version = fromVersion + 1; version <= LatestVersion; version++)
        {
            using var transaction = connection.BeginTransaction();
            foreach (var statement in s_migrations[version - 1])
            {
                Execute(connection, statement);
            }

            // PRAGMA takes no parameters; the value is a number from this list, never outside input.
            Execute(connection, "PRAGMA user_version = " + version.ToString(CultureInfo.InvariantCulture));
            transaction.Commit();
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
