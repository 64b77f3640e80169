using System;
using System.IO;
using System.Text;

namespace PassMan.Tests;

public sealed class VaultEncryptionTests
{
    private const string Secret = "Tr0ub4dor&3-unmistakable-secret-value-0123456789";

    [Fact]
    public void A_stored_secret_appears_in_neither_the_database_file_nor_its_write_ahead_log()
    {
        using var temp = new TempFolder();
        var path = temp.File("vault.db");
        using var vault = Vault.CreateWithKeyFile(path);

        var id = VaultFixtures.AddCredential(vault, Secret);

        // While the vault is open the new row sits in the log; both files are searched.
        Assert.True(File.Exists(path + "-wal"));
        AssertAbsent(path, Secret);
        AssertAbsent(path + "-wal", Secret);
        Assert.Equal(Secret, VaultFixtures.ReadText(vault, id));
    }

    [Fact]
    public void A_stored_secret_does_not_appear_in_the_database_file_after_a_checkpoint()
    {
        using var temp = new TempFolder();
        var path = temp.File("vault.db");
        using (var vault = Vault.CreateWithPassphrase(path, VaultFixtures.Passphrase))
        {
            VaultFixtures.AddCredential(vault, Secret);
        }

        AssertAbsent(path, Secret);
        Assert.False(File.Exists(path + "-wal"));
    }

    [Fact]
    public void ReadCredential_fails_with_SecretTampered_when_a_ciphertext_byte_is_flipped()
    {
        using var temp = new TempFolder();
        var path = temp.File("vault.db");
        Guid id;
        using (var vault = Vault.CreateWithKeyFile(path))
        {
            id = VaultFixtures.AddCredential(vault, Secret);
        }

        var envelope = StoredSecret(path, id);
        envelope[50] ^= 0x01;
        StoreSecret(path, id, envelope);

        using var reopened = Vault.Open(path);
        var error = VaultFixtures.Fails(ErrorIds.SecretTampered, () => reopened.ReadCredential(id).Dispose());
        Assert.DoesNotContain(Secret, error.Message, StringComparison.Ordinal);
        Assert.Equal("web01/alice", error.Target);
        Assert.StartsWith("web01/alice: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadCredential_fails_with_SecretTampered_when_two_ciphertexts_are_swapped()
    {
        using var temp = new TempFolder();
        var path = temp.File("vault.db");
        Guid first, second;
        using (var vault = Vault.CreateWithKeyFile(path))
        {
            first = VaultFixtures.AddCredential(vault, "first secret", "web01", "alice");
            second = VaultFixtures.AddCredential(vault, "second secret", "web02", "bob");
        }

        var firstEnvelope = StoredSecret(path, first);
        StoreSecret(path, first, StoredSecret(path, second));
        StoreSecret(path, second, firstEnvelope);

        using var reopened = Vault.Open(path);
        VaultFixtures.Fails(ErrorIds.SecretTampered, () => reopened.ReadCredential(first).Dispose());
        VaultFixtures.Fails(ErrorIds.SecretTampered, () => reopened.ReadCredential(second).Dispose());
    }

    [Fact]
    public void ReadCredential_fails_with_SecretTampered_when_a_ciphertext_is_moved_to_a_record_with_another_id()
    {
        using var temp = new TempFolder();
        var path = temp.File("vault.db");
        Guid id;
        using (var vault = Vault.CreateWithKeyFile(path))
        {
            id = VaultFixtures.AddCredential(vault, Secret);
        }

        var newId = Guid.NewGuid();
        VaultFixtures.Tamper(
            path,
            "UPDATE credentials SET id = $new WHERE id = $old",
            ("$new", newId.ToString()),
            ("$old", id.ToString()));

        using var reopened = Vault.Open(path);
        VaultFixtures.Fails(ErrorIds.SecretTampered, () => reopened.ReadCredential(newId).Dispose());
    }

    [Fact]
    public void ReadCredential_fails_with_SecretTampered_when_a_credential_row_is_moved_to_another_account()
    {
        using var temp = new TempFolder();
        var path = temp.File("vault.db");
        Guid id;
        using (var vault = Vault.CreateWithKeyFile(path))
        {
            id = VaultFixtures.AddCredential(vault, Secret, "web01", "alice");
            vault.NewAccount(new Model.AccountSpec("web01", "mallory"));
        }

        VaultFixtures.Tamper(
            path,
            "UPDATE credentials SET account_id = (SELECT id FROM accounts WHERE user_name = 'mallory') WHERE id = $id",
            ("$id", id.ToString()));

        using var reopened = Vault.Open(path);
        VaultFixtures.Fails(ErrorIds.SecretTampered, () => reopened.ReadCredential(id).Dispose());
    }

    [Fact]
    public void Each_secret_is_sealed_with_its_own_nonce()
    {
        using var temp = new TempFolder();
        var path = temp.File("vault.db");
        using (var vault = Vault.CreateWithKeyFile(path))
        {
            VaultFixtures.AddCredential(vault, Secret, "web01", "alice");
            VaultFixtures.AddCredential(vault, Secret, "web02", "alice");
        }

        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(DISTINCT substr(secret, 18, 12)), count(DISTINCT secret) FROM credentials";
        using var reader = command.ExecuteReader();
        reader.Read();
        Assert.Equal((2L, 2L), (reader.GetInt64(0), reader.GetInt64(1)));
    }

    [Fact]
    public void ReadCredential_fails_with_RecordNotFound_for_an_unknown_id()
    {
        using var temp = new TempFolder();
        using var vault = Vault.CreateWithKeyFile(temp.File("vault.db"));

        VaultFixtures.Fails(ErrorIds.RecordNotFound, () => vault.ReadCredential(Guid.NewGuid()).Dispose());
    }

    private static byte[] StoredSecret(string path, Guid id)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT secret FROM credentials WHERE id = $id";
        command.Parameters.AddWithValue("$id", id.ToString());
        return (byte[])command.ExecuteScalar()!;
    }

    private static void StoreSecret(string path, Guid id, byte[] envelope) =>
        VaultFixtures.Tamper(
            path,
            "UPDATE credentials SET secret = $secret WHERE id = $id",
            ("$secret", envelope),
            ("$id", id.ToString()));

    private static void AssertAbsent(string file, string secret)
    {
        var haystack = File.ReadAllBytes(file);
        foreach (var encoding in new Encoding[] { Encoding.UTF8, Encoding.Unicode })
        {
            var needle = encoding.GetBytes(secret);
            Assert.True(haystack.AsSpan().IndexOf(needle) < 0, $"The secret appears in clear in {file}.");
        }
    }
}
