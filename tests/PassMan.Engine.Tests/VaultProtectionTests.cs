using System.IO;

namespace PassMan.Tests;

public sealed class VaultProtectionTests
{
    private const string NewPassphrase = "a different passphrase, longer";

    [Fact]
    public void Open_leaves_a_passphrase_vault_locked_until_Unlock_with_the_right_passphrase()
    {
        using var temp = new TempFolder();
        var path = temp.File("vault.db");
        System.Guid id;
        using (var vault = Vault.CreateWithPassphrase(path, VaultFixtures.Passphrase))
        {
            id = VaultFixtures.AddCredential(vault, "s3cret value");
        }

        using var reopened = Vault.Open(path);
        Assert.False(reopened.IsUnlocked);
        Assert.True(reopened.GetInfo().IsLocked);
        VaultFixtures.Fails(ErrorIds.VaultLocked, () => reopened.ReadCredential(id).Dispose());

        reopened.Unlock(VaultFixtures.Passphrase);

        Assert.Equal("s3cret value", VaultFixtures.ReadText(reopened, id));
    }

    [Fact]
    public void Unlock_fails_with_WrongPassphrase_and_changes_nothing()
    {
        using var temp = new TempFolder();
        var path = temp.File("vault.db");
        using (var vault = Vault.CreateWithPassphrase(path, VaultFixtures.Passphrase))
        {
            VaultFixtures.AddCredential(vault, "s3cret value");
        }

        var before = VaultFixtures.Snapshot(path);
        using (var reopened = Vault.Open(path))
        {
            var error = VaultFixtures.Fails(ErrorIds.WrongPassphrase, () => reopened.Unlock("not the passphrase"));
            Assert.Equal(path, error.Target);
            Assert.False(reopened.IsUnlocked);
        }

        Assert.Equal(before, VaultFixtures.Snapshot(path));
    }

    [Fact]
    public void Lock_makes_the_next_secret_read_of_a_passphrase_vault_fail_until_it_is_unlocked_again()
    {
        using var temp = new TempFolder();
        using var vault = Vault.CreateWithPassphrase(temp.File("vault.db"), VaultFixtures.Passphrase);
        var id = VaultFixtures.AddCredential(vault, "s3cret value");

        vault.Lock();

        VaultFixtures.Fails(ErrorIds.VaultLocked, () => vault.ReadCredential(id).Dispose());
        VaultFixtures.Fails(ErrorIds.VaultLocked, () => VaultFixtures.AddCredential(vault, "another", "web02"));
        vault.Unlock(VaultFixtures.Passphrase);
        Assert.Equal("s3cret value", VaultFixtures.ReadText(vault, id));
    }

    [Fact]
    public void Lock_of_a_key_file_vault_drops_the_key_and_the_next_read_takes_it_from_the_key_file_again()
    {
        using var temp = new TempFolder();
        var path = temp.File("vault.db");
        using var vault = Vault.CreateWithKeyFile(path);
        var id = VaultFixtures.AddCredential(vault, "s3cret value");

        vault.Lock();
        Assert.False(vault.IsUnlocked);
        Assert.Equal("s3cret value", VaultFixtures.ReadText(vault, id));
        Assert.True(vault.IsUnlocked);

        vault.Lock();
        File.Delete(path + ".key");
        VaultFixtures.Fails(ErrorIds.KeyFileNotFound, () => vault.ReadCredential(id).Dispose());
    }

    [Fact]
    public void SetPassphrase_keeps_every_secret_readable_with_the_new_passphrase_and_none_with_the_old()
    {
        using var temp = new TempFolder();
        var path = temp.File("vault.db");
        System.Guid first, second;
        using (var vault = Vault.CreateWithPassphrase(path, VaultFixtures.Passphrase))
        {
            first = VaultFixtures.AddCredential(vault, "first secret", "web01");
            second = VaultFixtures.AddCredential(vault, "second secret", "web02");
            vault.SetPassphrase(NewPassphrase);
        }

        using var reopened = Vault.Open(path);
        VaultFixtures.Fails(ErrorIds.WrongPassphrase, () => reopened.Unlock(VaultFixtures.Passphrase));
        reopened.Unlock(NewPassphrase);
        Assert.Equal("first secret", VaultFixtures.ReadText(reopened, first));
        Assert.Equal("second secret", VaultFixtures.ReadText(reopened, second));
    }

    [Fact]
    public void SetPassphrase_refuses_a_short_passphrase_and_keeps_the_old_one()
    {
        using var temp = new TempFolder();
        var path = temp.File("vault.db");
        using (var vault = Vault.CreateWithPassphrase(path, VaultFixtures.Passphrase))
        {
            var error = VaultFixtures.Fails(ErrorIds.PassphraseTooShort, () => vault.SetPassphrase("short"));
            Assert.Equal(path, error.Target);
        }

        using var reopened = Vault.Open(path);
        reopened.Unlock(VaultFixtures.Passphrase);
    }

    [Fact]
    public void SetPassphrase_of_a_locked_vault_fails_with_VaultLocked()
    {
        using var temp = new TempFolder();
        var path = temp.File("vault.db");
        Vault.CreateWithPassphrase(path, VaultFixtures.Passphrase).Dispose();

        using var vault = Vault.Open(path);
        VaultFixtures.Fails(ErrorIds.VaultLocked, () => vault.SetPassphrase(NewPassphrase));
    }

    [Fact]
    public void SetPassphrase_switches_a_key_file_vault_to_passphrase_protection_and_leaves_the_key_file()
    {
        using var temp = new TempFolder();
        var path = temp.File("vault.db");
        System.Guid id;
        using (var vault = Vault.CreateWithKeyFile(path))
        {
            id = VaultFixtures.AddCredential(vault, "s3cret value");
            vault.SetPassphrase(NewPassphrase);
            Assert.Equal(VaultProtection.Passphrase, vault.Protection);
            Assert.Null(vault.KeyFilePath);
        }

        Assert.True(File.Exists(path + ".key"));
        using var reopened = Vault.Open(path);
        VaultFixtures.Fails(ErrorIds.VaultLocked, reopened.UnlockWithKeyFile);
        reopened.Unlock(NewPassphrase);
        Assert.Equal("s3cret value", VaultFixtures.ReadText(reopened, id));
    }

    [Fact]
    public void UseKeyFile_switches_a_passphrase_vault_to_a_new_key_file()
    {
        using var temp = new TempFolder();
        var path = temp.File("vault.db");
        System.Guid id;
        using (var vault = Vault.CreateWithPassphrase(path, VaultFixtures.Passphrase))
        {
            id = VaultFixtures.AddCredential(vault, "s3cret value");
            vault.UseKeyFile();
        }

        using var reopened = Vault.Open(path);
        Assert.Equal(VaultProtection.KeyFile, reopened.Protection);
        VaultFixtures.Fails(ErrorIds.ProtectionUnchanged, () => reopened.Unlock(VaultFixtures.Passphrase));
        Assert.Equal("s3cret value", VaultFixtures.ReadText(reopened, id));
    }

    [Fact]
    public void UseKeyFile_moves_a_key_file_vault_to_a_new_key_and_the_old_key_file_no_longer_opens_it()
    {
        using var temp = new TempFolder();
        var path = temp.File("vault.db");
        var newKey = temp.File("rotated.key");
        System.Guid id;
        using (var vault = Vault.CreateWithKeyFile(path))
        {
            id = VaultFixtures.AddCredential(vault, "s3cret value");
            VaultFixtures.Fails(ErrorIds.ProtectionUnchanged, () => vault.UseKeyFile(path + ".key"));
            vault.UseKeyFile(newKey);
        }

        using var reopened = Vault.Open(path);
        Assert.Equal(newKey, reopened.KeyFilePath);
        Assert.Equal("s3cret value", VaultFixtures.ReadText(reopened, id));

        File.Copy(path + ".key", newKey, overwrite: true);
        reopened.Lock();
        VaultFixtures.Fails(ErrorIds.KeyFileInvalid, reopened.UnlockWithKeyFile);
    }
}
