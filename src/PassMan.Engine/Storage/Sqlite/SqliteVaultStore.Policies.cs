using System;
using System.Collections.Generic;
using Microsoft.Data.Sqlite;
using PassMan.Model;

namespace PassMan.Storage.Sqlite;

/// <summary>Policies.</summary>
public sealed partial class SqliteVaultStore
{
    private const string PolicyColumns =
        "p.id, p.name, p.password_length, p.min_upper, p.min_lower, p.min_digit, p.min_special, "
        + "p.special_characters, p.forbidden_characters, p.history, p.pin_length, p.ssh_key_type, p.rsa_key_size, "
        + "p.created_utc, p.modified_utc";

    /// <inheritdoc/>
    public PolicyRecord? FindPolicy(string nameKey) => Single(
        $"SELECT {PolicyColumns} FROM policies p WHERE p.name_key = $key",
        ReadPolicy,
        ("$key", nameKey));

    /// <inheritdoc/>
    public PolicyRecord? FindPolicy(Guid policyId) => Single(
        $"SELECT {PolicyColumns} FROM policies p WHERE p.id = $id",
        ReadPolicy,
        ("$id", Text(policyId)));

    /// <inheritdoc/>
    public IEnumerable<(PolicyRecord Policy, long AccountCount)> ListPolicies(NamePattern? name) => Stream(
        $"""
        SELECT {PolicyColumns},
               (SELECT count(*) FROM accounts a
                WHERE a.policy_id = p.id OR (a.policy_id IS NULL AND p.name_key = $default))
        FROM policies p
        WHERE $glob IS NULL OR p.name_key GLOB $glob
        ORDER BY p.name_key
        """,
        [("$glob", name?.Glob), ("$default", Names.Fold(Policy.DefaultName))],
        reader => (ReadPolicy(reader), reader.GetInt64(15)));

    /// <inheritdoc/>
    public void InsertPolicy(PolicyRecord policy) => Write(
        """
        INSERT INTO policies (id, name, name_key, password_length, min_upper, min_lower, min_digit, min_special,
                              special_characters, forbidden_characters, history, pin_length, ssh_key_type,
                              rsa_key_size, created_utc, modified_utc)
        VALUES ($id, $name, $key, $length, $upper, $lower, $digit, $special, $specials, $forbidden, $history, $pin,
                $keyType, $rsa, $created, $modified)
        """,
        PolicyParameters(policy));

    /// <inheritdoc/>
    public void UpdatePolicy(PolicyRecord policy) => Write(
        """
        UPDATE policies SET name = $name, name_key = $key, password_length = $length, min_upper = $upper,
                            min_lower = $lower, min_digit = $digit, min_special = $special,
                            special_characters = $specials, forbidden_characters = $forbidden, history = $history,
                            pin_length = $pin, ssh_key_type = $keyType, rsa_key_size = $rsa, modified_utc = $modified
        WHERE id = $id
        """,
        PolicyParameters(policy));

    /// <inheritdoc/>
    public void DeletePolicy(Guid policyId) => Write("DELETE FROM policies WHERE id = $id", ("$id", Text(policyId)));

    /// <inheritdoc/>
    public long CountPolicyUsers(Guid policyId, bool includingUnassigned) => CountOf(
        includingUnassigned
            ? "SELECT count(*) FROM accounts WHERE policy_id = $id OR policy_id IS NULL"
            : "SELECT count(*) FROM accounts WHERE policy_id = $id",
        ("$id", Text(policyId)));

    private static (string, object?)[] PolicyParameters(PolicyRecord policy)
    {
        var settings = policy.Settings;
        return
        [
            ("$id", Text(policy.Id)),
            ("$name", policy.Name),
            ("$key", policy.NameKey),
            ("$length", settings.PasswordLength),
            ("$upper", settings.MinUpperCase),
            ("$lower", settings.MinLowerCase),
            ("$digit", settings.MinDigit),
            ("$special", settings.MinSpecial),
            ("$specials", settings.SpecialCharacters),
            ("$forbidden", settings.ForbiddenCharacters),
            ("$history", settings.History),
            ("$pin", settings.PinLength),
            ("$keyType", settings.SshKeyType),
            ("$rsa", settings.RsaKeySize),
            ("$created", Text(policy.CreatedUtc)),
            ("$modified", Text(policy.ModifiedUtc)),
        ];
    }

    private static PolicyRecord ReadPolicy(SqliteDataReader reader) => new(
        Guid.Parse(reader.GetString(0)),
        reader.GetString(1),
        new PolicySettings
        {
            PasswordLength = reader.GetInt32(2),
            MinUpperCase = reader.GetInt32(3),
            MinLowerCase = reader.GetInt32(4),
            MinDigit = reader.GetInt32(5),
            MinSpecial = reader.GetInt32(6),
            SpecialCharacters = reader.GetString(7),
            ForbiddenCharacters = reader.GetString(8),
            History = reader.GetInt32(9),
            PinLength = reader.GetInt32(10),
            SshKeyType = reader.GetString(11),
            RsaKeySize = reader.GetInt32(12),
        },
        ParseTime(reader.GetString(13)),
        ParseTime(reader.GetString(14)));
}
