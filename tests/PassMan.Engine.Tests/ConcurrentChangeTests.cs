using System;
using System.Linq;
using System.Text;
using PassMan.Crypto;
using PassMan.Model;
using PassMan.Ssh;

namespace PassMan.Tests;

/// <summary>
/// Two vaults on one file, as two processes hold them, changing the same password on a target:
/// the step where one change has read the credential and not yet staged its value is where the
/// other change runs, from start to end, so the race happens every time.
/// </summary>
public sealed class ConcurrentChangeTests : IClassFixture<SharedSshTarget>, IDisposable
{
    private readonly SshTarget _target;
    private readonly TempFolder _temp = new();

    public ConcurrentChangeTests(SharedSshTarget fixture) => _target = fixture.Target;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_change_planned_before_another_process_changed_the_password_goes_ahead_from_the_new_one()
    {
        const string User = "racer";
        _target.AddUser(User);
        _target.RunAsRoot("chpasswd", $"{User}:Start-Passw0rd-race\n");
        var path = _temp.File("race.db");
        var account = new AccountRef(Target: "t", UserName: User);
        using var vault = Vault.CreateWithKeyFile(path);
        vault.NewTarget(new TargetSpec("t", _target.Address, _target.Port));
        vault.TrustHostKeys("t", SshConnector.Scan(_target.Endpoint, SshOptions.Default), false, "test");
        using (var start = Secret("Start-Passw0rd-race"))
        {
            vault.NewAccount(new AccountSpec("t", User, Password: start));
        }

        var raced = false;
        vault.Fault = step =>
        {
            if (step != "before-pending" || raced)
            {
                return;
            }

            raced = true;
            using var other = Vault.Open(path);
            using var theirs = Secret("Theirs-Passw0rd-race");
            other.ResetOnTarget(Request(account, theirs), useReconcile: false);
        };
        using var mine = Secret("Mine-Passw0rd-race");

        var result = vault.ResetOnTarget(Request(account, mine), useReconcile: false);

        Assert.True(raced);
        Assert.Equal(3, result.Version);
        Assert.Equal("InSync", result.StatusAfter);
        Assert.Equal("Mine-Passw0rd-race", CheckOut(vault, account, version: null));
        Assert.Equal("Theirs-Passw0rd-race", CheckOut(vault, account, version: 2));
        Assert.Equal("InSync", vault.VerifyCredentials(account, CredentialType.Password).Status);
        Assert.Equal(
            [3, 2, 1],
            vault.GetCredentialHistory(account, CredentialType.Password, null).Select(v => v.Version));
    }

    private static ResetRequest Request(AccountRef account, SecretBuffer value) =>
        new(account, CredentialType.Password, null, value, null, Generated: false, ChangeOnTarget: true);

    private static SecretBuffer Secret(string text) => new(Encoding.UTF8.GetBytes(text));

    private static string CheckOut(Vault vault, AccountRef account, int? version)
    {
        using var credential = vault.CheckOut(account, CredentialType.Password, null, version, "test");
        return Encoding.UTF8.GetString(credential.Value.Span);
    }
}
