using System;
using PassMan.Storage;
using PassMan.Storage.Sqlite;

namespace PassMan.Tests;

/// <summary>The store's prepared statements, reused across items, transactions and reads.</summary>
public sealed class SqliteVaultStoreTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly SqliteVaultStore _store;

    public SqliteVaultStoreTests()
    {
        var path = _temp.File("vault.db");
        Vault.CreateWithKeyFile(path).Dispose();
        _store = SqliteVaultStore.Open(path);
    }

    public void Dispose()
    {
        _store.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public void A_failed_item_is_undone_alone_and_the_items_around_it_commit()
    {
        using (var scope = _store.BeginWrite())
        {
            scope.Item(() => Insert("web01"));
            Assert.Throws<InvalidOperationException>(() => scope.Item<int>(() =>
            {
                Insert("web02");
                throw new InvalidOperationException("the item fails after its write");
            }));
            scope.Item(() => Insert("web03"));
            scope.Commit();
        }

        Assert.NotNull(_store.FindTarget("web01"));
        Assert.Null(_store.FindTarget("web02"));
        Assert.NotNull(_store.FindTarget("web03"));
    }

    [Fact]
    public void A_statement_run_in_one_transaction_runs_again_outside_it_and_in_the_next()
    {
        using (var scope = _store.BeginWrite())
        {
            Insert("web01");
            Assert.NotNull(_store.FindTarget("web01"));
            scope.Commit();
        }

        Assert.NotNull(_store.FindTarget("web01"));

        using (var scope = _store.BeginWrite())
        {
            Insert("web02");
            Assert.NotNull(_store.FindTarget("web02"));
        }

        // The second transaction was never committed: its write is gone, the first one stays.
        Assert.Null(_store.FindTarget("web02"));
        Assert.NotNull(_store.FindTarget("web01"));
    }

    private int Insert(string name)
    {
        var now = DateTimeOffset.UtcNow;
        _store.InsertTarget(new TargetRecord(
            Guid.NewGuid(), name, name + ".example.test", 22, "Linux", null, [], now, now));
        return 0;
    }
}
