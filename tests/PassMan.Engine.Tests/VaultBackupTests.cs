using System;
using System.Collections.Concurrent;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace PassMan.Tests;

public sealed class VaultBackupTests
{
    [Fact]
    public void Backup_of_a_passphrase_vault_opens_with_the_same_passphrase_only()
    {
        using var temp = new TempFolder();
        var backupPath = temp.File("backups/vault-copy.db");
        Guid id;
        using (var vault = Vault.CreateWithPassphrase(temp.File("vault.db"), VaultFixtures.Passphrase))
        {
            id = VaultFixtures.AddCredential(vault, "s3cret value");
            var backup = vault.Backup(backupPath, overwrite: false);

            Assert.Equal(backupPath, backup.Path);
            Assert.Equal(VaultProtection.Passphrase, backup.Protection);
            Assert.Null(backup.KeyFilePath);
            Assert.True(backup.Length > 0);
        }

        using var copy = Vault.Open(backupPath);
        VaultFixtures.Fails(ErrorIds.WrongPassphrase, () => copy.Unlock("not the passphrase"));
        copy.Unlock(VaultFixtures.Passphrase);
        Assert.Equal("s3cret value", VaultFixtures.ReadText(copy, id));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(backupPath));
    }

    [Fact]
    public void Backup_of_a_key_file_vault_names_the_key_file_it_needs()
    {
        using var temp = new TempFolder();
        var path = temp.File("vault.db");
        using var vault = Vault.CreateWithKeyFile(path);
        var id = VaultFixtures.AddCredential(vault, "s3cret value");

        var backup = vault.Backup(temp.File("copy.db"), overwrite: false);

        Assert.Equal(path + ".key", backup.KeyFilePath);
        using var copy = Vault.Open(backup.Path);
        Assert.Equal(path + ".key", copy.KeyFilePath);
        Assert.Equal("s3cret value", VaultFixtures.ReadText(copy, id));
    }

    [Fact]
    public void Backup_refuses_an_existing_destination_unless_asked_to_overwrite()
    {
        using var temp = new TempFolder();
        using var vault = Vault.CreateWithKeyFile(temp.File("vault.db"));
        File.WriteAllText(temp.File("copy.db"), "keep me");

        VaultFixtures.Fails(
            ErrorIds.BackupDestinationExists,
            () => vault.Backup(temp.File("copy.db"), overwrite: false));
        Assert.Equal("keep me", File.ReadAllText(temp.File("copy.db")));

        vault.Backup(temp.File("copy.db"), overwrite: true);
        using var copy = Vault.Open(temp.File("copy.db"));
        Assert.Equal(vault.Id, copy.Id);
    }

    [Fact]
    public void Backup_refuses_the_vault_itself_as_the_destination()
    {
        using var temp = new TempFolder();
        using var vault = Vault.CreateWithKeyFile(temp.File("vault.db"));

        VaultFixtures.Fails(ErrorIds.InvalidPath, () => vault.Backup(temp.File("vault.db"), overwrite: true));
    }

    [Fact]
    public async Task Backup_taken_while_another_connection_writes_holds_everything_committed_before_it()
    {
        using var temp = new TempFolder();
        var path = temp.File("vault.db");
        using var vault = Vault.CreateWithKeyFile(path);
        var committed = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();

        var writer = Task.Run(() =>
        {
            using var other = Vault.Open(path);
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var name = "host" + i;
                other.NewTarget(new Model.TargetSpec(name, name + ".example.test"));
                committed.Enqueue(name);
            }
        });

        for (var round = 0; round < 5; round++)
        {
            SpinWait.SpinUntil(() => committed.Count > (round + 1) * 20, TimeSpan.FromSeconds(10));
            var before = committed.Count;
            var backup = vault.Backup(temp.File($"copy{round}.db"), overwrite: false);

            using var copy = Vault.Open(backup.Path);
            Assert.True(copy.GetInfo().TargetCount >= before);
        }

        await stop.CancelAsync();
        await writer;
        Assert.True(committed.Count > 100);
    }
}
