using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.Data.Sqlite;
using PassMan.Model;
using PassMan.Ssh;

namespace PassMan.Storage.Sqlite;

/// <summary>Targets and their pinned host keys.</summary>
public sealed partial class SqliteVaultStore
{
    private const string TargetColumns =
        "t.id, t.name, t.host_name, t.port, t.platform, t.description, t.created_utc, t.modified_utc, "
        + "t.max_connections";

    // The fingerprints pinned for a target's host and port, one a line, read with the target
    // itself rather than by a query of their own for every target looked up.
    private const string FingerprintsColumn =
        "(SELECT group_concat(k.fingerprint, char(10)) FROM host_keys k "
        + "WHERE k.host_key = lower(t.host_name) AND k.port = t.port)";

    /// <inheritdoc/>
    public TargetRecord? FindTarget(string nameKey) => Single(
        $"SELECT {TargetColumns}, {FingerprintsColumn} FROM targets t WHERE t.name_key = $key",
        reader => ReadTarget(reader, SplitLines(OptionalText(reader, 9))),
        ("$key", nameKey));

    /// <inheritdoc/>
    public TargetRecord? FindTarget(Guid targetId) => Single(
        $"SELECT {TargetColumns}, {FingerprintsColumn} FROM targets t WHERE t.id = $id",
        reader => ReadTarget(reader, SplitLines(OptionalText(reader, 9))),
        ("$id", Text(targetId)));

    /// <inheritdoc/>
    public IEnumerable<(TargetRecord Target, long AccountCount)> ListTargets(NamePattern? name)
    {
        var rows = Stream(
            $"""
            SELECT {TargetColumns},
                   (SELECT count(*) FROM accounts a WHERE a.target_id = t.id),
                   {FingerprintsColumn}
            FROM targets t
            WHERE $glob IS NULL OR t.name_key GLOB $glob
            ORDER BY t.name_key
            """,
            [("$glob", name?.Glob)],
            reader => (
                ReadTarget(reader, SplitLines(OptionalText(reader, 10))),
                reader.GetInt64(9)));
        return rows;
    }

    /// <inheritdoc/>
    public void InsertTarget(TargetRecord target)
    {
        Write(
            """
            INSERT INTO targets (id, name, name_key, host_name, port, platform, description, created_utc, modified_utc,
                                 max_connections)
            VALUES ($id, $name, $key, $host, $port, $platform, $description, $created, $modified, $connections)
            """,
            TargetParameters(target));
    }

    /// <inheritdoc/>
    public void UpdateTarget(TargetRecord target)
    {
        Write(
            """
            UPDATE targets SET name = $name, name_key = $key, host_name = $host, port = $port, platform = $platform,
                               description = $description, modified_utc = $modified, max_connections = $connections
            WHERE id = $id
            """,
            TargetParameters(target));
        DeleteUnusedHostKeys();
    }

    /// <inheritdoc/>
    public void DeleteTarget(Guid targetId)
    {
        var id = Text(targetId);
        Write(
            "UPDATE accounts SET reconcile_account_id = NULL WHERE target_id = $id",
            ("$id", id));
        Write(
            "DELETE FROM credentials WHERE account_id IN (SELECT id FROM accounts WHERE target_id = $id)",
            ("$id", id));
        Write("DELETE FROM accounts WHERE target_id = $id", ("$id", id));
        Write("DELETE FROM targets WHERE id = $id", ("$id", id));
        DeleteUnusedHostKeys();
    }

    /// <inheritdoc/>
    public long CountAccounts(Guid targetId) =>
        CountOf("SELECT count(*) FROM accounts WHERE target_id = $id", ("$id", Text(targetId)));

    /// <inheritdoc/>
    public IReadOnlyList<HostKeyPin> ListHostKeys(string hostName, int port) => Run(() =>
    {
        var command = Command(
            """
            SELECT fingerprint, public_key, pinned_utc FROM host_keys
            WHERE host_key = lower($host) AND port = $port
            ORDER BY key_type, fingerprint
            """,
            ("$host", hostName),
            ("$port", port));
        using var reader = command.ExecuteReader();
        var pins = new List<HostKeyPin>();
        while (reader.Read())
        {
            var key = reader.IsDBNull(1) ? null : new HostKey((byte[])reader.GetValue(1));
            pins.Add(new HostKeyPin(reader.GetString(0), key, ParseTime(reader.GetString(2))));
        }

        return pins;
    });

    /// <inheritdoc/>
    public void ReplaceHostKeys(string hostName, int port, IReadOnlyList<HostKeyPin> pins)
    {
        Write(
            "DELETE FROM host_keys WHERE host_key = lower($host) AND port = $port",
            ("$host", hostName),
            ("$port", port));
        foreach (var pin in pins)
        {
            Write(
                """
                INSERT OR IGNORE INTO host_keys (host_key, port, fingerprint, key_type, public_key, pinned_utc)
                VALUES (lower($host), $port, $fingerprint, $type, $key, $pinned)
                """,
                ("$host", hostName),
                ("$port", port),
                ("$fingerprint", pin.Fingerprint),
                ("$type", pin.KeyType),
                ("$key", pin.Key?.Blob.ToArray()),
                ("$pinned", Text(pin.PinnedUtc)));
        }
    }

    /// <summary>Pins belong to a host and port; when no target names them any more, they go.</summary>
    private void DeleteUnusedHostKeys() => Write(
        """
        DELETE FROM host_keys WHERE NOT EXISTS (
            SELECT 1 FROM targets t WHERE lower(t.host_name) = host_keys.host_key AND t.port = host_keys.port)
        """);

    private static (string, object?)[] TargetParameters(TargetRecord target) =>
    [
        ("$id", Text(target.Id)),
        ("$name", target.Name),
        ("$key", target.NameKey),
        ("$host", target.HostName),
        ("$port", target.Port),
        ("$platform", target.Platform),
        ("$description", target.Description),
        ("$created", Text(target.CreatedUtc)),
        ("$modified", Text(target.ModifiedUtc)),
        ("$connections", target.MaxConnections),
    ];

    private static TargetRecord ReadTarget(SqliteDataReader reader, IReadOnlyList<string> hostKeys) => new(
        Guid.Parse(reader.GetString(0)),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetInt32(3),
        reader.GetString(4),
        OptionalText(reader, 5),
        hostKeys,
        ParseTime(reader.GetString(6)),
        ParseTime(reader.GetString(7)),
        reader.GetInt32(8));

    private static List<string> SplitLines(string? text)
    {
        var lines = new List<string>(text?.Split('\n') ?? []);
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }
}
