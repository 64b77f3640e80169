using System;
using System.Text;
using System.Threading.Tasks;
using Microsoft.Data.Sqlite;
using PassMan.Crypto;
using PassMan.Model;

namespace PassMan.Tests;

/// <summary>
/// One vault file open in two places, as two processes have it: SQLite lets one connection write
/// at a time, and a write that finds the file locked waits inside the engine rather than failing
/// with "database is locked".
/// </summary>
public sealed class SharedVaultFileTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_reset_waits_for_the_write_transaction_of_another_connection_and_then_goes_ahead()
    {
        var path = _temp.File("shared.db");
        using var vault = Vault.CreateWithKeyFile(path);
        var credential = VaultFixtures.AddCredential(vault, "Start-Passw0rd");
        using var other = Vault.Open(path);
        other.EnsureUnlocked();
        var account = new AccountRef(Target: "web01", UserName: "alice");
        using var next = new SecretBuffer(Encoding.UTF8.GetBytes("Next-Passw0rd"));
        var request = new ResetRequest(account, CredentialType.Password, null, next, null, false, false);

        using var holder = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Pooling = false,
        }.ToString());
        holder.Open();
        var transaction = holder.BeginTransaction(deferred: false);
        var reset = Task.Run(() => other.ResetCredentials([request]));

        // The reset meets the lock while it is held (a slow start only makes the test weaker,
        // never wrong), and must still be waiting when it goes.
        await Task.Delay(1000);
        transaction.Commit();
        transaction.Dispose();

        var result = Assert.Single(await reset);
        Assert.Null(result.Error);
        Assert.Equal(2, result.Value!.Version);
        Assert.Equal("Next-Passw0rd", VaultFixtures.ReadText(vault, credential));
    }
}
