using Microsoft.Data.Sqlite;
using PassMan.Storage.Sqlite;

namespace PassMan.Tests;

public sealed class MigrationTests
{
    [Fact]
    public void Migrating_a_format_1_vault_folds_names_adds_the_Default_policy_and_keeps_every_row()
    {
        using var temp = new TempFolder();
        using var connection = OpenAt(temp, version: 1);
        Execute(connection, """
            INSERT INTO targets VALUES ('t1', 'ÄRGER', 'a.example.test', 22, '2026-01-01T00:00:00.0000000Z');
            INSERT INTO accounts VALUES ('a1', 't1', 'Alice', '2026-01-01T00:00:00.0000000Z');
            INSERT INTO credentials VALUES ('c1', 'a1', 'Password', x'00', '2026-01-01T00:00:00.0000000Z');
            """);

        SqliteSchema.Migrate(connection, fromVersion: 1);

        Assert.Equal(SqliteSchema.LatestVersion, Scalar(connection, "PRAGMA user_version"));
        Assert.Equal("ärger", Scalar(connection, "SELECT name_key FROM targets"));
        Assert.Equal("alice", Scalar(connection, "SELECT user_key FROM accounts"));
        Assert.Equal("Unknown", Scalar(connection, "SELECT status FROM credentials"));
        Assert.Equal("Default", Scalar(connection, "SELECT name FROM policies"));
        Assert.Equal(1L, Scalar(connection, "SELECT count(*) FROM credentials"));
    }

    [Fact]
    public void Migrating_a_format_4_vault_keeps_each_pinned_fingerprint_for_its_host_and_port()
    {
        using var temp = new TempFolder();
        using var connection = OpenAt(temp, version: 4);
        Execute(connection, """
            INSERT INTO targets (id, name, name_key, host_name, port, created_utc, modified_utc)
            VALUES ('t1', 'web01', 'web01', 'Web01.Example.Test', 2222, '2026-01-01T00:00:00.0000000Z',
                    '2026-01-02T00:00:00.0000000Z');
            INSERT INTO target_host_keys VALUES ('t1', 'SHA256:one'), ('t1', 'SHA256:two');
            """);

        SqliteSchema.Migrate(connection, fromVersion: 4);

        Assert.Equal(
            "web01.example.test|2222|SHA256:one|,web01.example.test|2222|SHA256:two|",
            Scalar(connection, """
                SELECT group_concat(host_key || '|' || port || '|' || fingerprint || '|' || ifnull(key_type, ''))
                FROM (SELECT * FROM host_keys ORDER BY fingerprint)
                """));
        Assert.Equal(0L, Scalar(connection, "SELECT count(*) FROM sqlite_master WHERE name = 'target_host_keys'"));
    }

    /// <summary>A new database with the schema of an older format, as that version of PassMan wrote it.</summary>
    private static SqliteConnection OpenAt(TempFolder temp, int version)
    {
        var connection = new SqliteConnection($"Data Source={temp.File($"v{version}.db")};Pooling=False");
        connection.Open();
        SqliteSchema.Migrate(connection, fromVersion: 0, toVersion: version);
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        var value = command.ExecuteScalar();
        return value is long number && sql.StartsWith("PRAGMA", System.StringComparison.Ordinal) ? (int)number : value;
    }
}
