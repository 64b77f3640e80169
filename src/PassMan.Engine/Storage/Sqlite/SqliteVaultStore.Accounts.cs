using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Microsoft.Data.Sqlite;
using PassMan.Model;

namespace PassMan.Storage.Sqlite;

/// <summary>Accounts and their credentials.</summary>
public sealed partial class SqliteVaultStore
{
    private const string AccountColumns =
        "a.id, a.target_id, a.user_name, a.policy_id, a.reconcile_account_id, a.description, a.status, "
        + "a.created_utc, a.modified_utc";

    private const string CredentialColumns =
        "c.id, c.account_id, c.credential_type, c.key_type, c.secret, c.status, c.created_utc, c.changed_utc, "
        + "c.verified_utc, c.public_key, c.fingerprint, c.version, c.value_mac, c.changed_by, "
        + "c.pending_secret IS NOT NULL";

    /// <inheritdoc/>
    public AccountRecord? FindAccount(Guid targetId, string userKey) => Single(
        $"SELECT {AccountColumns} FROM accounts a WHERE a.target_id = $target AND a.user_key = $key",
        ReadAccount,
        ("$target", Text(targetId)),
        ("$key", userKey));

    /// <inheritdoc/>
    public AccountRecord? FindAccount(Guid accountId) => Single(
        $"SELECT {AccountColumns} FROM accounts a WHERE a.id = $id",
        ReadAccount,
        ("$id", Text(accountId)));

    /// <inheritdoc/>
    public AccountView? FindAccountView(Guid accountId)
    {
        var (sql, parameters) = AccountQuery(new AccountFilter(Id: accountId));
        return Single(sql, ReadAccountView, parameters);
    }

    /// <summary>How many accounts a listing reads in one read transaction.</summary>
    internal const int AccountPageSize = 500;

    /// <inheritdoc/>
    public IEnumerable<AccountView> ListAccounts(AccountFilter filter)
    {
        // A status or an id is looked up in its own index, whose order is not the listing's: those
        // lists come from one query, a snapshot as Stream describes.
        if (_scope is not null || filter.Status is not null || filter.Id is not null)
        {
            var (sql, parameters) = AccountQuery(filter);
            return Stream(sql, parameters, ReadAccountView);
        }

        return ListAccountPages(filter);
    }

    /// <summary>
    /// Lists accounts a page at a time, each page read whole in a read transaction of its own, the
    /// next one starting after the last account read. One snapshot for a long listing would keep
    /// SQLite from checkpointing its write-ahead log while the caller writes, as in
    /// <c>Get-PMAccount | Reset-PMCredential</c>, and the log and its index in memory would grow by
    /// every change until the listing ends. So an account is listed as it is when its page is read,
    /// and one that is added or renamed behind the last account read is not listed.
    /// </summary>
    private IEnumerable<AccountView> ListAccountPages(AccountFilter filter)
    {
        AccountCursor? after = null;
        while (true)
        {
            var (sql, parameters) = AccountQuery(filter, after, AccountPageSize);
            var page = StreamOnOwnConnection(sql, parameters, ReadPageRow).ToList();
            foreach (var row in page)
            {
                yield return row.View;
            }

            if (page.Count == AccountPageSize)
            {
                after = new AccountCursor(page[^1].TargetKey, page[^1].UserKey, SameTarget: true);
            }
            else if (after is { SameTarget: true } cursor)
            {
                // The rest of that target's accounts is read; the next targets follow.
                after = cursor with { SameTarget = false };
            }
            else
            {
                yield break;
            }
        }
    }

    private static (AccountView View, string TargetKey, string UserKey) ReadPageRow(SqliteDataReader reader) =>
        (ReadAccountView(reader), reader.GetString(16), reader.GetString(17));

    /// <summary>
    /// Where a page of a listing starts: after <see cref="UserKey"/> on the target
    /// <see cref="TargetKey"/> while <see cref="SameTarget"/>, else on the targets after it.
    /// </summary>
    internal sealed record AccountCursor(string TargetKey, string UserKey, bool SameTarget);

    /// <summary>
    /// The query that lists the accounts <paramref name="filter"/> selects, and its parameters; from
    /// <paramref name="after"/> on and at most <paramref name="limit"/> of them when given.
    /// </summary>
    internal static (string Sql, (string, object?)[] Parameters) AccountQuery(
        AccountFilter filter,
        AccountCursor? after = null,
        int? limit = null)
    {
        // Only the filters given become conditions, so that SQLite can plan each with its index.
        var sql = new StringBuilder(
            $"""
            SELECT {AccountColumns}, t.name, coalesce(p.name, '{Policy.DefaultName}'), r.user_name,
                   (SELECT group_concat(held, ', ') FROM (
                        SELECT CASE WHEN c.key_type IS NULL THEN c.credential_type
                                    ELSE c.credential_type || ':' || c.key_type END AS held
                        FROM credentials c WHERE c.account_id = a.id
                        ORDER BY c.credential_type, c.key_type)),
                   (SELECT max(c.changed_utc) FROM credentials c WHERE c.account_id = a.id),
                   (SELECT max(c.verified_utc) FROM credentials c WHERE c.account_id = a.id),
                   EXISTS (SELECT 1 FROM credentials c WHERE c.account_id = a.id AND c.pending_secret IS NOT NULL),
                   t.name_key, a.user_key
            FROM accounts a
            JOIN targets t ON t.id = a.target_id
            LEFT JOIN policies p ON p.id = a.policy_id
            LEFT JOIN accounts r ON r.id = a.reconcile_account_id
            WHERE 1 = 1
            """);
        var parameters = new List<(string, object?)>();
        void Condition(string condition, string name, object? value)
        {
            sql.Append(" AND ").Append(condition);
            parameters.Add((name, value));
        }

        if (filter.Id is { } id)
        {
            Condition("a.id = $id", "$id", Text(id));
        }

        if (filter.TargetId is { } targetId)
        {
            Condition("a.target_id = $targetId", "$targetId", Text(targetId));
        }

        if (filter.Target is { } target)
        {
            Condition(
                target.HasWildcards ? "t.name_key GLOB $target" : "t.name_key = $target",
                "$target",
                target.HasWildcards ? target.Glob : target.LiteralKey);
        }

        if (filter.UserName is { } user)
        {
            Condition(
                user.HasWildcards ? "a.user_key GLOB $user" : "a.user_key = $user",
                "$user",
                user.HasWildcards ? user.Glob : user.LiteralKey);
        }

        if (filter.Status is { } status)
        {
            Condition("a.status = $status", "$status", status.ToString());
        }

        if (after is not null)
        {
            Condition(after.SameTarget ? "t.name_key = $afterTarget" : "t.name_key > $afterTarget", "$afterTarget",
                after.TargetKey);
            if (after.SameTarget)
            {
                Condition("a.user_key > $afterUser", "$afterUser", after.UserKey);
            }
        }

        // t.rowid changes no order, as name_key is unique; it tells SQLite that the targets, read in
        // name_key order, are distinct rows, which its nullable unique index does not. Then each
        // target's accounts come in user_key order from their index, and rows stream from the first
        // one on, instead of waiting for every account to be read and sorted.
        sql.Append(" ORDER BY t.name_key, t.rowid, a.user_key");
        if (limit is { } most)
        {
            sql.Append(" LIMIT ").Append(most.ToString(CultureInfo.InvariantCulture));
        }

        return (sql.ToString(), parameters.ToArray());
    }

    private static AccountView ReadAccountView(SqliteDataReader reader) => new(
        ReadAccount(reader),
        reader.GetString(9),
        reader.GetString(10),
        OptionalText(reader, 11),
        OptionalText(reader, 12) ?? string.Empty,
        OptionalTime(reader, 13),
        OptionalTime(reader, 14),
        reader.GetInt64(15) != 0);

    /// <inheritdoc/>
    public void InsertAccount(AccountRecord account) => Write(
        """
        INSERT INTO accounts (id, target_id, user_name, user_key, policy_id, reconcile_account_id, description,
                              status, created_utc, modified_utc)
        VALUES ($id, $target, $user, $key, $policy, $reconcile, $description, $status, $created, $modified)
        """,
        AccountParameters(account));

    /// <inheritdoc/>
    public void UpdateAccount(AccountRecord account) => Write(
        """
        UPDATE accounts SET user_name = $user, user_key = $key, policy_id = $policy,
                            reconcile_account_id = $reconcile, description = $description, status = $status,
                            modified_utc = $modified
        WHERE id = $id AND target_id = $target
        """,
        AccountParameters(account));

    /// <inheritdoc/>
    public void DeleteAccount(Guid accountId)
    {
        Write("DELETE FROM credentials WHERE account_id = $id", ("$id", Text(accountId)));
        Write("DELETE FROM accounts WHERE id = $id", ("$id", Text(accountId)));
    }

    /// <inheritdoc/>
    public long CountReconcileDependents(Guid accountId) => CountOf(
        "SELECT count(*) FROM accounts WHERE reconcile_account_id = $id",
        ("$id", Text(accountId)));

    /// <inheritdoc/>
    public void InsertCredential(CredentialRecord credential) => Write(
        """
        INSERT INTO credentials (id, account_id, credential_type, key_type, secret, status, created_utc,
                                 changed_utc, verified_utc, public_key, fingerprint, version, value_mac,
                                 changed_by)
        VALUES ($id, $account, $type, $keyType, $secret, $status, $created, $changed, $verified, $publicKey,
                $fingerprint, $version, $mac, $by)
        """,
        CredentialParameters(credential));

    /// <inheritdoc/>
    public void UpdateCredential(CredentialRecord credential) => Write(
        """
        UPDATE credentials SET secret = $secret, status = $status, changed_utc = $changed, verified_utc = $verified,
                               public_key = $publicKey, fingerprint = $fingerprint, version = $version,
                               value_mac = $mac, changed_by = $by
        WHERE id = $id
        """,
        CredentialParameters(credential));

    /// <inheritdoc/>
    public void DeleteCredential(Guid credentialId)
    {
        Write("DELETE FROM credential_versions WHERE credential_id = $id", ("$id", Text(credentialId)));
        Write("DELETE FROM credentials WHERE id = $id", ("$id", Text(credentialId)));
    }

    /// <inheritdoc/>
    public bool WritePending(Guid credentialId, byte[]? sealedValue) => sealedValue is null
        ? Write("UPDATE credentials SET pending_secret = NULL WHERE id = $id", ("$id", Text(credentialId))) > 0
        : Write(
            "UPDATE credentials SET pending_secret = $pending WHERE id = $id AND pending_secret IS NULL",
            ("$id", Text(credentialId)),
            ("$pending", sealedValue)) > 0;

    /// <inheritdoc/>
    public byte[]? ReadPending(Guid credentialId) => Single(
        "SELECT pending_secret FROM credentials WHERE id = $id AND pending_secret IS NOT NULL",
        reader => (byte[])reader.GetValue(0),
        ("$id", Text(credentialId)));

    /// <inheritdoc/>
    public void InsertCredentialVersion(CredentialVersionRecord version) => Write(
        """
        INSERT INTO credential_versions (id, credential_id, version, secret, value_mac, public_key, fingerprint,
                                         created_utc, created_by, retired_utc)
        VALUES ($id, $credential, $version, $secret, $mac, $publicKey, $fingerprint, $created, $by, $retired)
        """,
        ("$id", Text(version.Id)),
        ("$credential", Text(version.CredentialId)),
        ("$version", version.Version),
        ("$secret", version.Secret),
        ("$mac", version.ValueMac),
        ("$publicKey", version.PublicKey),
        ("$fingerprint", version.Fingerprint),
        ("$created", Text(version.CreatedUtc)),
        ("$by", version.CreatedBy),
        ("$retired", Text(version.RetiredUtc)));

    /// <inheritdoc/>
    public IReadOnlyList<CredentialVersionRecord> ListCredentialVersions(Guid credentialId) => Run(() =>
    {
        var command = Command(
            """
            SELECT id, credential_id, version, secret, value_mac, public_key, fingerprint, created_utc, created_by,
                   retired_utc
            FROM credential_versions WHERE credential_id = $id ORDER BY version DESC
            """,
            ("$id", Text(credentialId)));
        using var reader = command.ExecuteReader();
        var versions = new List<CredentialVersionRecord>();
        while (reader.Read())
        {
            versions.Add(new CredentialVersionRecord(
                Guid.Parse(reader.GetString(0)),
                Guid.Parse(reader.GetString(1)),
                reader.GetInt32(2),
                (byte[])reader.GetValue(3),
                reader.IsDBNull(4) ? null : (byte[])reader.GetValue(4),
                OptionalText(reader, 5),
                OptionalText(reader, 6),
                ParseTime(reader.GetString(7)),
                OptionalText(reader, 8),
                ParseTime(reader.GetString(9))));
        }

        return (IReadOnlyList<CredentialVersionRecord>)versions;
    });

    /// <inheritdoc/>
    public CredentialRecord? FindCredential(Guid id) => Single(
        $"SELECT {CredentialColumns} FROM credentials c WHERE c.id = $id",
        ReadCredential,
        ("$id", Text(id)));

    /// <inheritdoc/>
    public IReadOnlyList<CredentialRecord> ListCredentials(Guid accountId) => Run(() =>
    {
        var command = Command(
            $"SELECT {CredentialColumns} FROM credentials c WHERE c.account_id = $id ORDER BY c.credential_type",
            ("$id", Text(accountId)));
        using var reader = command.ExecuteReader();
        var credentials = new List<CredentialRecord>();
        while (reader.Read())
        {
            credentials.Add(ReadCredential(reader));
        }

        return (IReadOnlyList<CredentialRecord>)credentials;
    });

    private static (string, object?)[] CredentialParameters(CredentialRecord credential) =>
    [
        ("$id", Text(credential.Id)),
        ("$account", Text(credential.AccountId)),
        ("$type", credential.Type.ToString()),
        ("$keyType", credential.KeyType),
        ("$secret", credential.Secret),
        ("$status", credential.Status?.ToString()),
        ("$created", Text(credential.CreatedUtc)),
        ("$changed", Text(credential.ChangedUtc)),
        ("$verified", Text(credential.VerifiedUtc)),
        ("$publicKey", credential.PublicKey),
        ("$fingerprint", credential.Fingerprint),
        ("$version", credential.Version),
        ("$mac", credential.ValueMac),
        ("$by", credential.ChangedBy),
    ];

    private static (string, object?)[] AccountParameters(AccountRecord account) =>
    [
        ("$id", Text(account.Id)),
        ("$target", Text(account.TargetId)),
        ("$user", account.UserName),
        ("$key", account.UserKey),
        ("$policy", Text(account.PolicyId)),
        ("$reconcile", Text(account.ReconcileAccountId)),
        ("$description", account.Description),
        ("$status", account.Status.ToString()),
        ("$created", Text(account.CreatedUtc)),
        ("$modified", Text(account.ModifiedUtc)),
    ];

    private static AccountRecord ReadAccount(SqliteDataReader reader) => new(
        Guid.Parse(reader.GetString(0)),
        Guid.Parse(reader.GetString(1)),
        reader.GetString(2),
        OptionalGuid(reader, 3),
        OptionalGuid(reader, 4),
        OptionalText(reader, 5),
        Enum.Parse<AccountStatus>(reader.GetString(6)),
        ParseTime(reader.GetString(7)),
        ParseTime(reader.GetString(8)));

    private static CredentialRecord ReadCredential(SqliteDataReader reader) => new(
        Guid.Parse(reader.GetString(0)),
        Guid.Parse(reader.GetString(1)),
        Enum.Parse<CredentialType>(reader.GetString(2)),
        OptionalText(reader, 3),
        (byte[])reader.GetValue(4),
        reader.IsDBNull(5) ? null : Enum.Parse<AccountStatus>(reader.GetString(5)),
        ParseTime(reader.GetString(6)),
        ParseTime(reader.GetString(7)),
        OptionalTime(reader, 8),
        OptionalText(reader, 9),
        OptionalText(reader, 10),
        reader.GetInt32(11),
        reader.IsDBNull(12) ? null : (byte[])reader.GetValue(12),
        OptionalText(reader, 13),
        reader.GetInt64(14) != 0);
}
