using System.IO;

namespace PassMan.Tests;

public sealed class VaultCreateTests
{
    private const UnixFileMode OthersBits =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    [Fact]
    public void CreateWithKeyFile_makes_owner_only_folder_vault_and_key_file()
    {
        using var temp = new TempFolder();
        var folder = Path.Combine(temp.Path, "new vault folder");
        var path = Path.Combine(folder, "vault.db");

        using (var vault = Vault.CreateWithKeyFile(path))
        {
            Assert.Equal(VaultProtection.KeyFile, vault.Protection);
            Assert.Equal(path + ".key", vault.KeyFilePath);
            Assert.True(vault.IsUnlocked);
        }

        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
            File.GetUnixFileMode(folder));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path + ".key"));
        Assert.Equal(UnixFileMode.None, File.GetUnixFileMode(path) & OthersBits);
        Assert.Equal(56, new FileInfo(path + ".key").Length);
    }

    [Fact]
    public void CreateWithKeyFile_puts_the_key_file_where_asked()
    {
        using var temp = new TempFolder();
        var keyFile = Path.Combine(temp.Path, "keys", "prod.key");

        using (Vault.CreateWithKeyFile(temp.File("vault.db"), keyFile))
        {
        }

        using var reopened = Vault.Open(temp.File("vault.db"));
        Assert.Equal(keyFile, reopened.KeyFilePath);
        Assert.Equal(0, reopened.GetInfo().CredentialCount);
        reopened.UnlockWithKeyFile();
        Assert.True(reopened.IsUnlocked);
    }

    [Fact]
    public void Create_refuses_a_path_where_a_vault_exists_and_leaves_it_unchanged()
    {
        using var temp = new TempFolder();
        var path = temp.File("vault.db");
        using (var vault = Vault.CreateWithKeyFile(path))
        {
            VaultFixtures.AddCredential(vault, "first secret");
        }

        var before = VaultFixtures.Snapshot(path);
        var keyBefore = File.ReadAllBytes(path + ".key");

        VaultFixtures.Fails(ErrorIds.VaultExists, () => Vault.CreateWithKeyFile(path).Dispose());
        VaultFixtures.Fails(
            ErrorIds.VaultExists,
            () => Vault.CreateWithPassphrase(path, VaultFixtures.Passphrase).Dispose());

        Assert.Equal(before, VaultFixtures.Snapshot(path));
        Assert.Equal(keyBefore, File.ReadAllBytes(path + ".key"));
    }

    [Fact]
    public void CreateWithKeyFile_refuses_an_existing_key_file_and_creates_no_vault()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("vault.db.key"), "someone else's key");

        VaultFixtures.Fails(ErrorIds.VaultExists, () => Vault.CreateWithKeyFile(temp.File("vault.db")).Dispose());

        Assert.False(File.Exists(temp.File("vault.db")));
        Assert.Equal("someone else's key", File.ReadAllText(temp.File("vault.db.key")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("short")]
    [InlineData("   seven   ")]
    public void CreateWithPassphrase_refuses_a_short_passphrase_and_writes_nothing(string passphrase)
    {
        using var temp = new TempFolder();

        var error = VaultFixtures.Fails(
            ErrorIds.PassphraseTooShort,
            () => Vault.CreateWithPassphrase(temp.File("vault.db"), passphrase).Dispose());

        Assert.Equal(temp.File("vault.db"), error.Target);
        Assert.Empty(Directory.GetFileSystemEntries(temp.Path));
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("bad\0name.db")]
    [InlineData("bad\nname.db")]
    public void Create_refuses_an_unusable_path(string path)
    {
        VaultFixtures.Fails(ErrorIds.InvalidPath, () => Vault.CreateWithKeyFile(path).Dispose());
    }

    [Fact]
    public void Create_refuses_a_folder_as_the_vault_path()
    {
        using var temp = new TempFolder();

        VaultFixtures.Fails(ErrorIds.InvalidPath, () => Vault.CreateWithKeyFile(temp.Path).Dispose());
    }

    [Fact]
    public void GetInfo_counts_targets_accounts_and_credentials()
    {
        using var temp = new TempFolder();
        using var vault = Vault.CreateWithKeyFile(temp.File("vault.db"));

        VaultFixtures.AddCredential(vault, "one", "web01", "alice");
        VaultFixtures.AddCredential(vault, "two", "web02", "bob");
        var info = vault.GetInfo();

        Assert.Equal(temp.File("vault.db"), info.Path);
        Assert.Equal(vault.Id, info.VaultId);
        Assert.Equal(Storage.Sqlite.SqliteVaultStore.LatestSchemaVersion, info.FormatVersion);
        Assert.Equal(VaultProtection.KeyFile, info.Protection);
        Assert.False(info.IsLocked);
        Assert.Equal((2L, 2L, 2L), (info.TargetCount, info.AccountCount, info.CredentialCount));
    }
}
