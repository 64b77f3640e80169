using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using PassMan.Crypto;
using PassMan.Model;
using PassMan.Ssh;

namespace PassMan.Tests;

/// <summary>
/// A change on the target cut off at each of its steps, as a crash would cut it: afterwards the
/// vault still holds a value that opens the account (current or pending), the real ssh client
/// proves it, and the next verification resolves everything to InSync.
/// </summary>
public sealed class CrashSafetyTests : IClassFixture<SharedSshTarget>, IDisposable
{
    private readonly SshTarget _target;
    private readonly TempFolder _temp = new();

    public CrashSafetyTests(SharedSshTarget fixture) => _target = fixture.Target;

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string> Steps => new()
    {
        "before-pending", "after-pending", "after-change", "after-verify", "after-commit",
    };

    [Theory]
    [MemberData(nameof(Steps))]
    public void A_change_cut_off_at_any_step_leaves_a_value_that_logs_in_and_resolves_to_InSync(string step)
    {
        var user = "crash" + step.Replace("-", string.Empty, StringComparison.Ordinal)[..8];
        _target.AddUser(user);
        _target.RunAsRoot("chpasswd", $"{user}:Start-Passw0rd-{step}\n");
        var path = _temp.File($"{step}.db");
        var account = new AccountRef(Target: "t", UserName: user);
        using (var vault = Vault.CreateWithKeyFile(path))
        {
            vault.NewTarget(new TargetSpec("t", _target.Address, _target.Port));
            vault.TrustHostKeys("t", SshConnector.Scan(_target.Endpoint, SshOptions.Default), false, "test");
            using var start = new SecretBuffer(Encoding.UTF8.GetBytes($"Start-Passw0rd-{step}"));
            vault.NewAccount(new AccountSpec("t", user, Password: start));
            vault.Fault = at =>
            {
                if (at == step)
                {
                    throw new CrashedException(at);
                }
            };
            using var next = new SecretBuffer(Encoding.UTF8.GetBytes($"Next-Passw0rd-{step}"));

            Assert.Throws<CrashedException>(() => vault.ResetOnTarget(
                new ResetRequest(account, CredentialType.Password, null, next, null, true, ChangeOnTarget: true),
                useReconcile: false));
        }

        // As the next process would find it.
        using var reopened = Vault.Open(path);
        var held = new List<string>();
        using (var current = reopened.CheckOut(account, CredentialType.Password, null, null, "test").Value)
        {
            held.Add(Encoding.UTF8.GetString(current.Span));
        }

        using (var pending = reopened.OpenPending(account, CredentialType.Password, null))
        {
            if (pending is not null)
            {
                held.Add(Encoding.UTF8.GetString(pending.Span));
            }
        }

        Assert.Contains(held, value => LogsIn(user, value));

        var check = reopened.VerifyCredentials(account, CredentialType.Password);

        Assert.Equal("InSync", check.Status);
        using var resolved = reopened.CheckOut(account, CredentialType.Password, null, null, "test").Value;
        Assert.True(LogsIn(user, Encoding.UTF8.GetString(resolved.Span)));
        Assert.Null(reopened.OpenPending(account, CredentialType.Password, null));
    }

    /// <summary>Whether the real OpenSSH client logs in with the password, which sshpass reads from SSHPASS.</summary>
    private bool LogsIn(string user, string password)
    {
        var start = new ProcessStartInfo("sshpass")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "-e", "ssh", "-F", "/dev/null", "-p", _target.Port.ToString(CultureInfo.InvariantCulture),
            "-o", $"UserKnownHostsFile={_target.KnownHostsPath}", "-o", "StrictHostKeyChecking=yes",
            "-o", "PreferredAuthentications=password", "-o", "PubkeyAuthentication=no",
            "-o", "NumberOfPasswordPrompts=1", $"{user}@{_target.Address}", "true",
        })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["SSHPASS"] = password;
        using var process = Process.Start(start)!;
        process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0;
    }

    private sealed class CrashedException(string step) : Exception($"Injected crash at {step}.");
}
