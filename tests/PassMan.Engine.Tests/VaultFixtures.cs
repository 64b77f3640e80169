using System;
using System.Linq;
using System.Text;
using Microsoft.Data.Sqlite;
using PassMan.Model;

namespace PassMan.Tests;

/// <summary>Small helpers shared by the vault tests.</summary>
internal static class VaultFixtures
{
    public const string Passphrase = "correct horse battery staple";

    /// <summary>Adds a target (if new), an account on it, and a password credential holding the secret.</summary>
    public static Guid AddCredential(Vault vault, string secret, string target = "web01", string user = "alice")
    {
        if (!vault.GetTargets(target).Any())
        {
            vault.NewTarget(new TargetSpec(target, target + ".example.test"));
        }

        vault.NewAccount(new AccountSpec(target, user));
        var account = new AccountRef(Target: target, UserName: user);
        return vault.AddCredential(account, CredentialType.Password, null, Encoding.UTF8.GetBytes(secret));
    }

    public static string ReadText(Vault vault, Guid credentialId)
    {
        using var secret = vault.ReadCredential(credentialId);
        return Encoding.UTF8.GetString(secret.Span);
    }

    /// <summary>Runs SQL on the vault file behind PassMan's back, as an attacker with a SQLite tool would.</summary>
    public static void Tamper(string path, string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Pooling = false,
        }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        command.ExecuteNonQuery();
    }

    /// <summary>Asserts that <paramref name="action"/> fails with the PassMan error id given.</summary>
    public static PassManException Fails(string errorId, Action action)
    {
        var error = Assert.Throws<PassManException>(action);
        Assert.Equal(errorId, error.ErrorId);
        return error;
    }

    /// <summary>A digest of the vault file and its log, to show that a failed call changed nothing.</summary>
    public static string Snapshot(string path)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(
            System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (var file in new[] { path, path + "-wal" })
        {
            if (System.IO.File.Exists(file))
            {
                hash.AppendData(System.IO.File.ReadAllBytes(file));
            }
        }

        return Convert.ToHexString(hash.GetHashAndReset());
    }
}
