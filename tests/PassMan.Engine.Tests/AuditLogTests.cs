using System.Linq;
using PassMan.Model;

namespace PassMan.Tests;

public sealed class AuditLogTests : System.IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly string _path;

    public AuditLogTests()
    {
        _path = _temp.File("vault.db");
        using var vault = Vault.CreateWithKeyFile(_path);
        vault.NewTarget(new TargetSpec("web01", "web01.example.test"));
        vault.NewAccount(new AccountSpec("web01", "alice"));
        vault.NewAccount(new AccountSpec("web01", "bob"));
        vault.RemoveAccount(new AccountRef(Target: "web01", UserName: "bob"), force: false);
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Every_change_is_one_entry_in_order_and_the_chain_verifies()
    {
        using var vault = Vault.Open(_path);

        var entries = vault.GetAuditLog().ToList();

        Assert.Equal(
            [
                AuditActions.VaultCreated,
                AuditActions.TargetCreated,
                AuditActions.AccountCreated,
                AuditActions.AccountCreated,
                AuditActions.AccountRemoved,
            ],
            entries.Select(e => e.Action));
        Assert.Equal([1L, 2, 3, 4, 5], entries.Select(e => e.Sequence));
        Assert.All(entries, e => Assert.Equal("Success", e.Outcome));
        Assert.Equal(("web01", "bob"), (entries[4].Target, entries[4].UserName));
        Assert.True(vault.VerifyAuditLog().IsValid);
        Assert.Equal(5, vault.VerifyAuditLog().EntryCount);
    }

    [Fact]
    public void A_refused_change_writes_no_entry()
    {
        using var vault = Vault.Open(_path);

        VaultFixtures.Fails(ErrorIds.AccountExists, () => vault.NewAccount(new AccountSpec("web01", "ALICE")));

        Assert.Equal(5, vault.GetAuditLog().Count());
    }

    [Fact]
    public void Filters_select_by_target_user_action_and_the_last_entries()
    {
        using var vault = Vault.Open(_path);

        Assert.Equal(3, vault.GetAuditLog(target: "WEB*").Count(e => e.UserName is not null));
        Assert.Equal(2, vault.GetAuditLog(userName: "bob").Count());
        Assert.Equal(2, vault.GetAuditLog(action: "accountcreated").Count());
        Assert.Equal([4L, 5], vault.GetAuditLog(last: 2).Select(e => e.Sequence));
    }

    [Fact]
    public void An_edited_entry_breaks_the_chain_at_that_entry()
    {
        VaultFixtures.Tamper(_path, "UPDATE audit_log SET user_name = 'mallory' WHERE sequence = 3");

        AssertBrokenAt(3);
    }

    [Fact]
    public void A_deleted_entry_breaks_the_chain_where_it_was()
    {
        VaultFixtures.Tamper(_path, "DELETE FROM audit_log WHERE sequence = 2");

        AssertBrokenAt(2);
    }

    [Fact]
    public void An_inserted_entry_breaks_the_chain_at_the_insertion()
    {
        VaultFixtures.Tamper(
            _path,
            """
            INSERT INTO audit_log (sequence, time_utc, os_user, machine, action, outcome, mac)
            SELECT 6, time_utc, os_user, machine, 'AccountRemoved', 'Success', mac FROM audit_log WHERE sequence = 5
            """);
        VaultFixtures.Tamper(_path, "UPDATE audit_head SET sequence = 6");

        AssertBrokenAt(6);
    }

    [Fact]
    public void A_removed_last_entry_is_found_by_the_stored_head()
    {
        VaultFixtures.Tamper(_path, "DELETE FROM audit_log WHERE sequence = 5");

        AssertBrokenAt(5);
    }

    [Fact]
    public void A_tail_cut_off_with_the_head_moved_back_to_the_new_last_entry_is_found()
    {
        VaultFixtures.Tamper(_path, "DELETE FROM audit_log WHERE sequence = 5");
        VaultFixtures.Tamper(
            _path,
            "UPDATE audit_head SET sequence = 4, mac = (SELECT mac FROM audit_log WHERE sequence = 4)");

        AssertBrokenAt(5);
    }

    [Fact]
    public void A_changed_search_key_that_would_hide_an_entry_from_filters_is_found()
    {
        VaultFixtures.Tamper(_path, "UPDATE audit_log SET user_key = 'nobody' WHERE sequence = 4");

        AssertBrokenAt(4);
    }

    [Fact]
    public void An_emptied_log_is_found()
    {
        VaultFixtures.Tamper(_path, "DELETE FROM audit_log");
        VaultFixtures.Tamper(_path, "DELETE FROM audit_head");

        AssertBrokenAt(1);
    }

    [Fact]
    public void Removing_an_account_keeps_its_entries()
    {
        using var vault = Vault.Open(_path);

        Assert.Equal(2, vault.GetAuditLog(userName: "bob").Count());
    }

    private void AssertBrokenAt(long sequence)
    {
        using var vault = Vault.Open(_path);
        var verification = vault.VerifyAuditLog();

        Assert.False(verification.IsValid);
        Assert.Equal(sequence, verification.FirstBrokenSequence);
        Assert.False(string.IsNullOrEmpty(verification.Reason));
    }
}
