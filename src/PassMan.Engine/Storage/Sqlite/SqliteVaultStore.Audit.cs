using System;
using System.Collections.Generic;
using System.Text;
using Microsoft.Data.Sqlite;
using PassMan.Model;

namespace PassMan.Storage.Sqlite;

/// <summary>The audit log and its head.</summary>
public sealed partial class SqliteVaultStore
{
    private const string AuditColumns =
        "sequence, time_utc, os_user, machine, action, target, user_name, outcome, error_id, details, mac";

    /// <inheritdoc/>
    public AuditHead? ReadAuditHead() => Single(
        "SELECT sequence, mac FROM audit_head WHERE singleton = 1",
        reader => new AuditHead(reader.GetInt64(0), (byte[])reader.GetValue(1)));

    /// <inheritdoc/>
    public byte[]? ReadLastAuditMac() => Run(() =>
    {
        var command = Command("SELECT mac FROM audit_log ORDER BY sequence DESC LIMIT 1");
        return command.ExecuteScalar() as byte[];
    });

    /// <inheritdoc/>
    public void AppendAudit(AuditRecord entry, byte[] headMac)
    {
        Write(
            $"""
            INSERT INTO audit_log ({AuditColumns}, target_key, user_key)
            VALUES ($sequence, $time, $user, $machine, $action, $target, $userName, $outcome, $errorId, $details,
                    $mac, $targetKey, $userKey)
            """,
            ("$sequence", entry.Sequence),
            ("$time", Text(entry.TimeUtc)),
            ("$user", entry.OsUser),
            ("$machine", entry.Machine),
            ("$action", entry.Action),
            ("$target", entry.Target),
            ("$userName", entry.UserName),
            ("$outcome", entry.Outcome),
            ("$errorId", entry.ErrorId),
            ("$details", entry.Details),
            ("$mac", entry.Mac),
            ("$targetKey", entry.Target is null ? null : Names.Fold(entry.Target)),
            ("$userKey", entry.UserName is null ? null : Names.Fold(entry.UserName)));
        Write(
            """
            INSERT INTO audit_head (singleton, sequence, mac) VALUES (1, $sequence, $mac)
            ON CONFLICT (singleton) DO UPDATE SET sequence = excluded.sequence, mac = excluded.mac
            """,
            ("$sequence", entry.Sequence),
            ("$mac", headMac));
    }

    /// <inheritdoc/>
    public IEnumerable<(long Sequence, string? TargetKey, string? UserKey)> ListAuditKeys() => Stream(
        "SELECT sequence, target_key, user_key FROM audit_log ORDER BY sequence",
        [],
        reader => (reader.GetInt64(0), OptionalText(reader, 1), OptionalText(reader, 2)));

    /// <inheritdoc/>
    public IEnumerable<AuditRecord> ListAudit(AuditFilter filter)
    {
        var conditions = new StringBuilder("WHERE 1 = 1");
        var parameters = new List<(string, object?)>();
        void Condition(string condition, string name, object? value)
        {
            conditions.Append(" AND ").Append(condition);
            parameters.Add((name, value));
        }

        if (filter.Target is { } target)
        {
            Condition("target_key GLOB $target", "$target", target.Glob);
        }

        if (filter.UserName is { } user)
        {
            Condition("user_key GLOB $user", "$user", user.Glob);
        }

        if (filter.Action is { } action)
        {
            // Actions are ASCII names, so SQLite's lower() folds them as Names.Fold does.
            Condition("lower(action) GLOB $action", "$action", action.Glob);
        }

        if (filter.After is { } after)
        {
            Condition("time_utc > $after", "$after", Text(after));
        }

        if (filter.Before is { } before)
        {
            Condition("time_utc < $before", "$before", Text(before));
        }

        // The last N in sequence order: take them newest first, then turn them around.
        var sql = filter.Last is { } last
            ? $"""
               SELECT * FROM (SELECT {AuditColumns} FROM audit_log {conditions} ORDER BY sequence DESC LIMIT {last})
               ORDER BY sequence
               """
            : $"SELECT {AuditColumns} FROM audit_log {conditions} ORDER BY sequence";
        return Stream(sql, parameters.ToArray(), ReadAudit);
    }

    private static AuditRecord ReadAudit(SqliteDataReader reader) => new(
        reader.GetInt64(0),
        ParseTime(reader.GetString(1)),
        reader.GetString(2),
        reader.GetString(3),
        reader.GetString(4),
        OptionalText(reader, 5),
        OptionalText(reader, 6),
        reader.GetString(7),
        OptionalText(reader, 8),
        OptionalText(reader, 9),
        (byte[])reader.GetValue(10));
}
