using System;
using System.Collections.Generic;
using Microsoft.Data.Sqlite;
using PassMan.Model;

namespace PassMan.Storage.Sqlite;

/// <summary>Targets and their pinned host keys.</summary>
public sealed partial class SqliteVaultStore
{
    private const string TargetColumns =
        "t.id, t.name, t.host_name, t.port, t.platform, t.description, t.created_utc, t.modified_utc";

    /// <inheritdoc/>
    public TargetRecord? FindTarget(string nameKey) => Single(
        $"SELECT {TargetColumns} FROM targets t WHERE t.name_key = $key",
        reader => ReadTarget(reader, HostKeys(Guid.Parse(reader.GetString(0)))),
        ("$key", nameKey));

    /// <inheritdoc/>
    public TargetRecord? FindTarget(Guid targetId) => Single(
        $"SELECT {TargetColumns} FROM targets t WHERE t.id = $id",
        reader => ReadTarget(reader, HostKeys(Guid.Parse(reader.GetString(0)))),
        ("$id", Text(targetId)));

    /// <inheritdoc/>
    public IEnumerable<(TargetRecord Target, long AccountCount)> ListTargets(NamePattern? name)
    {
        var rows = Stream(
            $"""
            SELECT {TargetColumns},
                   (SELECT count(*) FROM accounts a WHERE a.target_id = t.id),
                   (SELECT group_concat(k.fingerprint, char(10)) FROM target_host_keys k WHERE k.target_id = t.id)
            FROM targets t
            WHERE $glob IS NULL OR t.name_key GLOB $glob
            ORDER BY t.name_key
            """,
            [("$glob", name?.Glob)],
            reader => (
                ReadTarget(reader, SplitLines(OptionalText(reader, 9))),
                reader.GetInt64(8)));
        return rows;
    }

    /// <inheritdoc/>
    public void InsertTarget(TargetRecord target)
    {
        Write(
            """
            INSERT INTO targets (id, name, name_key, host_name, port, platform, description, created_utc, modified_utc)
            VALUES ($id, $name, $key, $host, $port, $platform, $description, $created, $modified)
            """,
            TargetParameters(target));
        WriteHostKeys(target);
    }

    /// <inheritdoc/>
    public void UpdateTarget(TargetRecord target)
    {
        Write(
            """
            UPDATE targets SET name = $name, name_key = $key, host_name = $host, port = $port, platform = $platform,
                               description = $description, modified_utc = $modified
            WHERE id = $id
            """,
            TargetParameters(target));
        Write("DELETE FROM target_host_keys WHERE target_id = $id", ("$id", Text(target.Id)));
        WriteHostKeys(target);
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
    }

    /// <inheritdoc/>
    public long CountAccounts(Guid targetId) =>
        CountOf("SELECT count(*) FROM accounts WHERE target_id = $id", ("$id", Text(targetId)));

    private void WriteHostKeys(TargetRecord target)
    {
        foreach (var fingerprint in target.HostKeyFingerprints)
        {
            Write(
                "INSERT OR IGNORE INTO target_host_keys (target_id, fingerprint) VALUES ($id, $fingerprint)",
                ("$id", Text(target.Id)),
                ("$fingerprint", fingerprint));
        }
    }

    private List<string> HostKeys(Guid targetId) => Run(() =>
    {
        using var command = Command(
            "SELECT fingerprint FROM target_host_keys WHERE target_id = $id ORDER BY fingerprint",
            ("$id", Text(targetId)));
        using var reader = command.ExecuteReader();
        var keys = new List<string>();
        while (reader.Read())
        {
            keys.Add(reader.GetString(0));
        }

        return keys;
    });

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
        ParseTime(reader.GetString(7)));

    private static List<string> SplitLines(string? text)
    {
        var lines = new List<string>(text?.Split('\n') ?? []);
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }
}
