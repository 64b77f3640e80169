using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.Data.Sqlite;
using PassMan.Crypto;
using PassMan.Model;
using PassMan.Storage;
using PassMan.Storage.Sqlite;

namespace PassMan.Tests;

public sealed class TargetAccountTests : System.IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly Vault _vault;

    public TargetAccountTests()
    {
        _vault = Vault.CreateWithKeyFile(_temp.File("vault.db"));
        _vault.NewTarget(new TargetSpec("web01", "web01.example.test"));
    }

    public void Dispose()
    {
        _vault.Dispose();
        _temp.Dispose();
    }

    [Theory]
    [InlineData("WEB01")]
    [InlineData("Web01")]
    public void NewTarget_refuses_a_name_that_differs_only_in_case(string name)
    {
        VaultFixtures.Fails(ErrorIds.TargetExists, () => _vault.NewTarget(new TargetSpec(name, "other.example.test")));

        Assert.Single(_vault.GetTargets());
    }

    [Fact]
    public void NewTarget_compares_non_ascii_names_without_regard_to_case()
    {
        _vault.NewTarget(new TargetSpec("Ärger-Server", "a.example.test"));

        VaultFixtures.Fails(
            ErrorIds.TargetExists,
            () => _vault.NewTarget(new TargetSpec("äRGER-SERVER", "b.example.test")));
        Assert.Equal("Ärger-Server", _vault.GetTarget("ärger-server").Name);
    }

    [Fact]
    public void NewTarget_stores_names_with_sql_metacharacters_as_they_are()
    {
        var name = "x'); DROP TABLE targets; --";

        _vault.NewTarget(new TargetSpec(name, "x.example.test", 2222, Description: "semi;colon \"quoted\""));

        var target = _vault.GetTarget(name);
        Assert.Equal((name, 2222, "semi;colon \"quoted\""), (target.Name, target.Port, target.Description));
        Assert.Equal(2, _vault.GetTargets().Count());
    }

    [Theory]
    [InlineData("bad host")]
    [InlineData("host/path")]
    [InlineData("")]
    public void NewTarget_refuses_a_host_name_that_cannot_be_one(string host)
    {
        VaultFixtures.Fails(ErrorIds.InvalidName, () => _vault.NewTarget(new TargetSpec("t2", host)));
    }

    [Fact]
    public void NewTarget_refuses_a_malformed_host_key_fingerprint()
    {
        VaultFixtures.Fails(
            ErrorIds.InvalidHostKeyFingerprint,
            () => _vault.NewTarget(new TargetSpec("t2", "t2.example.test", HostKeyFingerprints: ["MD5:aa:bb"])));
    }

    [Fact]
    public void GetAccounts_finds_the_accounts_of_a_target_whose_name_holds_a_lone_bracket()
    {
        _vault.NewTarget(new TargetSpec("lab[1", "lab.example.test"));
        _vault.NewAccount(new AccountSpec("lab[1", "alice"));

        Assert.Equal(["lab[1/alice"], _vault.GetAccounts(target: "LAB[1").Select(a => a.ToString()));
        var escaped = _vault.GetAccounts(target: "lab`[1", userName: "alice").Select(a => a.ToString());
        Assert.Equal(["lab[1/alice"], escaped);
    }

    [Fact]
    public void SetTarget_renames_and_refuses_a_name_taken_by_another_target()
    {
        _vault.NewTarget(new TargetSpec("db01", "db01.example.test"));
        _vault.NewAccount(new AccountSpec("web01", "alice"));

        VaultFixtures.Fails(ErrorIds.TargetExists, () => _vault.SetTarget("web01", new TargetChange(NewName: "DB01")));
        var renamed = _vault.SetTarget("web01", new TargetChange(NewName: "Web01-new", Port: 2200));

        Assert.Equal(("Web01-new", 2200), (renamed.Name, renamed.Port));
        Assert.Equal("Web01-new", _vault.GetAccounts(target: "web01-NEW").Single().Target);
    }

    [Fact]
    public void RemoveTarget_refuses_a_target_with_accounts_unless_forced()
    {
        _vault.NewAccount(new AccountSpec("web01", "alice"));

        VaultFixtures.Fails(ErrorIds.TargetHasAccounts, () => _vault.RemoveTarget("web01", force: false));
        Assert.Single(_vault.GetAccounts());

        _vault.RemoveTarget("web01", force: true);
        Assert.Empty(_vault.GetTargets());
        Assert.Empty(_vault.GetAccounts());
    }

    [Fact]
    public void NewAccount_refuses_a_user_name_taken_on_the_same_target_whatever_its_case()
    {
        _vault.NewTarget(new TargetSpec("web02", "web02.example.test"));
        _vault.NewAccount(new AccountSpec("web01", "Alice"));

        VaultFixtures.Fails(ErrorIds.AccountExists, () => _vault.NewAccount(new AccountSpec("WEB01", "ALICE")));
        _vault.NewAccount(new AccountSpec("web02", "alice"));

        Assert.Equal(2, _vault.GetAccounts(userName: "alice").Count());
    }

    [Fact]
    public void NewAccount_fails_with_TargetNotFound_for_a_missing_target_and_PolicyNotFound_for_a_missing_policy()
    {
        VaultFixtures.Fails(ErrorIds.TargetNotFound, () => _vault.NewAccount(new AccountSpec("nowhere", "alice")));
        VaultFixtures.Fails(
            ErrorIds.PolicyNotFound,
            () => _vault.NewAccount(new AccountSpec("web01", "alice", Policy: "none")));

        Assert.Empty(_vault.GetAccounts());
    }

    [Fact]
    public void NewAccount_links_a_reconcile_account_on_the_same_target_only()
    {
        _vault.NewTarget(new TargetSpec("web02", "web02.example.test"));
        _vault.NewAccount(new AccountSpec("web01", "root"));
        _vault.NewAccount(new AccountSpec("web02", "admin"));

        var alice = _vault.NewAccount(new AccountSpec("web01", "alice", ReconcileAccount: "ROOT"));
        VaultFixtures.Fails(
            ErrorIds.ReconcileAccountNotFound,
            () => _vault.NewAccount(new AccountSpec("web01", "bob", ReconcileAccount: "admin")));
        VaultFixtures.Fails(
            ErrorIds.ReconcileAccountNotFound,
            () => _vault.NewAccount(new AccountSpec("web01", "carol", ReconcileAccount: "carol")));

        Assert.Equal("root", alice.ReconcileAccount);
    }

    [Fact]
    public void RemoveAccount_refuses_a_reconcile_account_in_use_unless_forced_and_then_unlinks()
    {
        _vault.NewAccount(new AccountSpec("web01", "root"));
        _vault.NewAccount(new AccountSpec("web01", "alice", ReconcileAccount: "root"));
        var root = new AccountRef(Target: "web01", UserName: "root");

        VaultFixtures.Fails(ErrorIds.AccountInUse, () => _vault.RemoveAccount(root, force: false));
        _vault.RemoveAccount(root, force: true);

        Assert.Null(_vault.GetAccount(new AccountRef(Target: "web01", UserName: "alice")).ReconcileAccount);
    }

    [Fact]
    public void NewAccount_with_a_password_holds_one_password_credential_with_status_Unknown()
    {
        using var password = new SecretBuffer(Encoding.UTF8.GetBytes("first password"));

        var account = _vault.NewAccount(new AccountSpec("web01", "alice", Password: password));

        Assert.Equal(("Unknown", "Password"), (account.Status, account.Credentials));
        Assert.NotNull(account.LastChanged);
        Assert.Null(account.LastVerified);
        Assert.Equal(1, _vault.GetInfo().CredentialCount);
    }

    [Fact]
    public void GetAccounts_filters_by_target_and_user_wildcards_and_status_in_order()
    {
        _vault.NewTarget(new TargetSpec("db01", "db01.example.test"));
        foreach (var (target, user) in new[] { ("web01", "bob"), ("web01", "alice"), ("db01", "postgres") })
        {
            _vault.NewAccount(new AccountSpec(target, user));
        }

        Assert.Equal(["db01/postgres", "web01/alice", "web01/bob"], _vault.GetAccounts().Select(a => a.ToString()));
        Assert.Equal(["web01/alice", "web01/bob"], _vault.GetAccounts(target: "WEB*").Select(a => a.ToString()));
        Assert.Equal(["web01/bob"], _vault.GetAccounts(userName: "?o?").Select(a => a.ToString()));
        Assert.Equal(3, _vault.GetAccounts(status: AccountStatus.Unknown).Count());
        Assert.Empty(_vault.GetAccounts(status: AccountStatus.InSync));
    }

    [Theory]
    [InlineData(null, null, null)]
    [InlineData("web*", null, null)]
    [InlineData(null, "a*", null)]
    [InlineData("web01", "alice", null)]
    [InlineData(null, null, true)]
    [InlineData(null, "a*", true)]
    [InlineData(null, null, false)]
    [InlineData("web*", null, false)]
    public void ListAccounts_reads_accounts_in_index_order_with_no_sort_before_the_first_row(
        string? target,
        string? user,
        bool? sameTarget)
    {
        _vault.NewTarget(new TargetSpec("db01", "db01.example.test"));
        _vault.NewAccount(new AccountSpec("web01", "alice"));
        _vault.NewAccount(new AccountSpec("db01", "postgres"));
        var filter = new AccountFilter(
            target is null ? null : NamePattern.Parse(target),
            user is null ? null : NamePattern.Parse(user));
        var after = sameTarget is { } same ? new SqliteVaultStore.AccountCursor("db01", "postgres", same) : null;

        var plan = QueryPlan(SqliteVaultStore.AccountQuery(filter, after, SqliteVaultStore.AccountPageSize));

        Assert.Contains(plan, step => step.Contains("USING INDEX accounts_by_target_user", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.Contains("TEMP B-TREE", StringComparison.Ordinal));
    }

    [Fact]
    public void GetAccounts_lists_every_account_once_in_order_across_pages_and_targets()
    {
        _vault.NewTarget(new TargetSpec("db01", "db01.example.test"));
        var users = Enumerable.Range(0, (2 * SqliteVaultStore.AccountPageSize) + 1).Select(i => $"user{i:d4}").ToList();
        _vault.NewAccounts(users.Select(user => new AccountSpec("web01", user)).ToList());
        _vault.NewAccounts(users.Take(3).Select(user => new AccountSpec("db01", user)).ToList());
        var expected = users.Take(3).Select(user => $"db01/{user}").Concat(users.Select(user => $"web01/{user}"));

        var listed = _vault.GetAccounts().Select(a => a.ToString()).ToList();
        var filtered = _vault.GetAccounts(userName: "user0*").Select(a => a.ToString()).ToList();

        Assert.Equal(expected, listed);
        Assert.Equal(expected.Where(name => name.Contains("/user0", StringComparison.Ordinal)), filtered);
    }

    [Fact]
    public void GetAccounts_holds_no_read_transaction_between_pages_so_the_log_can_be_checkpointed()
    {
        var users = Enumerable.Range(0, SqliteVaultStore.AccountPageSize + 1).Select(i => $"user{i:d4}");
        _vault.NewAccounts(users.Select(user => new AccountSpec("web01", user)).ToList());
        using var listing = _vault.GetAccounts().GetEnumerator();
        Assert.True(listing.MoveNext());
        _vault.NewAccount(new AccountSpec("web01", "zz-added-while-listing"));

        var busy = Checkpoint();
        var rest = 0;
        while (listing.MoveNext())
        {
            rest++;
        }

        Assert.Equal(0, busy);
        Assert.Equal(0, new System.IO.FileInfo(_temp.File("vault.db") + "-wal").Length);
        Assert.Equal(SqliteVaultStore.AccountPageSize + 1, rest);
    }

    [Fact]
    public void NewAccounts_commits_every_good_item_of_a_batch_and_reports_the_bad_one_alone()
    {
        var results = _vault.NewAccounts(
        [
            new AccountSpec("web01", "root"),
            new AccountSpec("web01", "ROOT"),
            new AccountSpec("web01", "alice", ReconcileAccount: "root"),
            new AccountSpec("nowhere", "bob"),
        ]);

        Assert.Equal(
            [null, ErrorIds.AccountExists, null, ErrorIds.TargetNotFound],
            results.Select(r => r.Error?.ErrorId));
        Assert.Equal(["web01/alice", "web01/root"], _vault.GetAccounts().Select(a => a.ToString()));
        Assert.True(_vault.VerifyAuditLog().IsValid);
    }

    /// <summary>
    /// Checkpoints the vault's write-ahead log into the file and empties it, from a connection of
    /// its own that does not wait; returns SQLite's busy flag, 1 when a reader kept it from finishing.
    /// </summary>
    private int Checkpoint()
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = _temp.File("vault.db"),
            Pooling = false,
        }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        using var reader = command.ExecuteReader();
        reader.Read();
        return reader.GetInt32(0);
    }

    /// <summary>
    /// The top-level steps of SQLite's plan for a query on the vault file, one line each; the steps of
    /// subqueries, such as the few credentials of one account sorted for its Credentials text, are left out.
    /// </summary>
    private List<string> QueryPlan((string Sql, (string Name, object? Value)[] Parameters) query)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = _temp.File("vault.db"),
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + query.Sql;
        foreach (var (name, value) in query.Parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        using var reader = command.ExecuteReader();
        var plan = new List<string>();
        while (reader.Read())
        {
            if (reader.GetInt32(1) == 0)
            {
                plan.Add(reader.GetString(3));
            }
        }

        return plan;
    }
}
