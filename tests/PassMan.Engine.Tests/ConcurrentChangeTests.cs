using System;
using System.Linq;
using System.Text;
using PassMan.Crypto;
using PassMan.Model;
using PassMan.Ssh;

namespace PassMan.Tests;

/// <summary>
/// Two vaults on one file, as two processes hold them, working on the same password on a target:
/// at the step where one has read the credential and not yet written what it found, the other
/// runs a whole change or verification, so the race happens every time.
/// </summary>
public sealed class ConcurrentChangeTests : IClassFixture<SshTargetFixture>, IDisposable
{
    private readonly SshTarget _target;
    private readonly TempFolder _temp = new();

    public ConcurrentChangeTests(SshTargetFixture fixture) => _target = fixture.Target;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_change_planned_before_another_process_changed_the_password_goes_ahead_from_the_new_one()
    {
        const string User = "racer";
        var (path, account) = NewVault(User);
        using var vault = Vault.Open(path);
        vault.Fault = Meanwhile("before-pending", path, ResetTo(account, "Theirs-Passw0rd-race"));
        using var mine = Secret("Mine-Passw0rd-race");

        var result = vault.ResetOnTarget(Request(account, mine), useReconcile: false);

        Assert.Equal(3, result.Version);
        Assert.Equal("InSync", result.StatusAfter);
        Assert.Equal("Mine-Passw0rd-race", CheckOut(vault, account, version: null));
        Assert.Equal("Theirs-Passw0rd-race", CheckOut(vault, account, version: 2));
        Assert.Equal("InSync", vault.VerifyCredentials(account, CredentialType.Password).Status);
        Assert.Equal(
            [3, 2, 1],
            vault.GetCredentialHistory(account, CredentialType.Password, null).Select(v => v.Version));
    }

    [Fact]
    public void A_verification_that_another_process_overtakes_with_a_reset_records_the_status_of_the_new_value()
    {
        const string User = "checker";
        var (path, account) = NewVault(User);
        using var vault = Vault.Open(path);
        vault.Fault = Meanwhile("before-login", path, ResetTo(account, "Theirs-Passw0rd-check"));

        var check = vault.VerifyCredentials(account, CredentialType.Password);

        Assert.Equal("InSync", check.Status);
        Assert.Equal("Theirs-Passw0rd-check", CheckOut(vault, account, version: null));
        Assert.Equal(2, vault.GetCredentialState(account, CredentialType.Password, null).Version);
    }

    [Fact]
    public void Two_verifications_resolving_one_pending_value_keep_it_once_and_both_end_InSync()
    {
        const string User = "resolver";
        var (path, account) = NewVault(User);
        using (var crashing = Vault.Open(path))
        {
            // Cut off after the target took the new password: it stays pending in the vault.
            crashing.Fault = Once("after-change", () => throw new InvalidOperationException("cut off"));
            using var next = Secret("Next-Passw0rd-resolve");
            Assert.Throws<InvalidOperationException>(
                () => crashing.ResetOnTarget(Request(account, next), useReconcile: false));
        }

        using var vault = Vault.Open(path);
        vault.Fault = Meanwhile("before-login", path, VerifiedInSync(account));

        var check = vault.VerifyCredentials(account, CredentialType.Password);

        Assert.Equal("InSync", check.Status);
        Assert.Equal("Next-Passw0rd-resolve", CheckOut(vault, account, version: null));
        Assert.Equal(
            [2, 1],
            vault.GetCredentialHistory(account, CredentialType.Password, null).Select(v => v.Version));
        Assert.False(vault.GetCredentialState(account, CredentialType.Password, null).HasPending);
    }

    [Fact]
    public void A_change_whose_pending_value_another_process_resolved_meanwhile_is_kept_once()
    {
        const string User = "overtaken";
        var (path, account) = NewVault(User);
        using var vault = Vault.Open(path);
        vault.Fault = Meanwhile("after-change", path, VerifiedInSync(account));
        using var mine = Secret("Mine-Passw0rd-overtaken");

        var result = vault.ResetOnTarget(Request(account, mine), useReconcile: false);

        Assert.Equal(2, result.Version);
        Assert.Equal("InSync", result.StatusAfter);
        Assert.Equal("Mine-Passw0rd-overtaken", CheckOut(vault, account, version: null));
        Assert.Equal(
            [2, 1],
            vault.GetCredentialHistory(account, CredentialType.Password, null).Select(v => v.Version));
    }

    /// <summary>A vault file with one target and one account, whose start password the target has.</summary>
    private (string Path, AccountRef Account) NewVault(string user)
    {
        _target.AddUser(user);
        _target.RunAsRoot("chpasswd", $"{user}:Start-Passw0rd-{user}\n");
        var path = _temp.File($"{user}.db");
        using var vault = Vault.CreateWithKeyFile(path);
        vault.NewTarget(new TargetSpec("t", _target.Address, _target.Port));
        vault.TrustHostKeys("t", SshConnector.Scan(_target.Endpoint, SshOptions.Default), false, "test");
        using var start = Secret($"Start-Passw0rd-{user}");
        vault.NewAccount(new AccountSpec("t", user, Password: start));
        return (path, new AccountRef(Target: "t", UserName: user));
    }

    /// <summary>A fault hook that runs <paramref name="action"/> when the work first reaches a step.</summary>
    private static Action<string> Once(string step, Action action)
    {
        var done = false;
        return at =>
        {
            if (at == step && !done)
            {
                done = true;
                action();
            }
        };
    }

    /// <summary>
    /// A fault hook that, when the work first reaches <paramref name="step"/>, does
    /// <paramref name="work"/> on the same file through a vault of its own, as another process would.
    /// </summary>
    private static Action<string> Meanwhile(string step, string path, Action<Vault> work) => Once(step, () =>
    {
        using var other = Vault.Open(path);
        work(other);
    });

    private static Action<Vault> ResetTo(AccountRef account, string password) => other =>
    {
        using var value = Secret(password);
        other.ResetOnTarget(Request(account, value), useReconcile: false);
    };

    private static Action<Vault> VerifiedInSync(AccountRef account) => other =>
        Assert.Equal("InSync", other.VerifyCredentials(account, CredentialType.Password).Status);

    private static ResetRequest Request(AccountRef account, SecretBuffer value) =>
        new(account, CredentialType.Password, null, value, null, Generated: false, ChangeOnTarget: true);

    private static SecretBuffer Secret(string text) => new(Encoding.UTF8.GetBytes(text));

    private static string CheckOut(Vault vault, AccountRef account, int? version)
    {
        using var credential = vault.CheckOut(account, CredentialType.Password, null, version, "test");
        return Encoding.UTF8.GetString(credential.Value.Span);
    }
}
