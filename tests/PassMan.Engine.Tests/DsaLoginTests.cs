using System;
using System.Collections.Generic;
using PassMan.Keys;
using PassMan.Model;
using PassMan.Ssh;

namespace PassMan.Tests;

/// <summary>
/// Two real OpenSSH 9.2 servers for the class: one that takes ssh-dss keys (PubkeyAcceptedAlgorithms
/// +ssh-dss), one with the default, which refuses them. Each has the user dana, who may log in
/// with the same DSA key and the same ed25519 key, and both servers' host keys are pinned.
/// </summary>
public sealed class DsaLoginTargets : IDisposable
{
    public const string UserName = "dana";

    private readonly List<SshTarget> _started = [];

    public DsaLoginTargets()
    {
        try
        {
            Accepting = Start("PubkeyAcceptedAlgorithms +ssh-dss");
            Refusing = Start();
            Pins = new Dictionary<SshTarget, IReadOnlyList<HostKeyPin>>
            {
                [Accepting] = Accepting.PinHostKeys(),
                [Refusing] = Refusing.PinHostKeys(),
            };
        }
        catch
        {
            // xunit calls no Dispose on a fixture whose constructor failed.
            Dispose();
            throw;
        }
    }

    public SshKey DsaKey { get; } = SshKey.Generate(SshKeyTypes.Dsa, 0, "dana's dsa key");

    public SshKey Ed25519Key { get; } = SshKey.Generate(SshKeyTypes.Ed25519, 0, "dana's ed25519 key");

    /// <summary>The server that takes ssh-dss keys.</summary>
    public SshTarget Accepting { get; }

    /// <summary>The server that keeps OpenSSH's default and refuses ssh-dss keys.</summary>
    public SshTarget Refusing { get; }

    public IReadOnlyDictionary<SshTarget, IReadOnlyList<HostKeyPin>> Pins { get; }

    public void Dispose()
    {
        var failures = new List<Exception>();
        foreach (var target in _started)
        {
            try
            {
                target.Dispose();
            }
            catch (InvalidOperationException failure)
            {
                failures.Add(failure);
            }
        }

        _started.Clear();
        DsaKey.Dispose();
        Ed25519Key.Dispose();
        if (failures.Count > 0)
        {
            throw new AggregateException("Not every SSH target stopped.", failures);
        }
    }

    private SshTarget Start(params string[] sshdOptions)
    {
        var target = SshTarget.Start(sshdOptions);
        _started.Add(target);
        target.AddUser(UserName);
        target.AuthorizeKey(UserName, DsaKey.PublicKey);
        target.AuthorizeKey(UserName, Ed25519Key.PublicKey);
        return target;
    }
}

public sealed class DsaLoginTests : IClassFixture<DsaLoginTargets>, IDisposable
{
    private const string UserName = DsaLoginTargets.UserName;

    private readonly DsaLoginTargets _targets;
    private readonly TempFolder _temp = new();

    public DsaLoginTests(DsaLoginTargets targets) => _targets = targets;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Connect_with_a_dsa_key_logs_in_where_the_server_takes_ssh_dss()
    {
        var target = _targets.Accepting;

        var result = RunAs(target, _targets.DsaKey, "id -un");

        Assert.Equal((0, UserName + "\n"), (result.ExitStatus, result.Output));
        Assert.Contains($"Accepted publickey for {UserName} ", target.Log, StringComparison.Ordinal);
        Assert.Contains($"DSA {_targets.DsaKey.Fingerprint}", target.Log, StringComparison.Ordinal);
    }

    [Fact]
    public void Connect_with_a_dsa_key_fails_with_LoginFailed_where_the_server_keeps_the_default()
    {
        var target = _targets.Refusing;
        var login = SshLogin.WithKey(UserName, _targets.DsaKey);

        var error = VaultFixtures.Fails(ErrorIds.LoginFailed,
            () => SshConnector.Connect(target.Endpoint, _targets.Pins[target], login, SshOptions.Default).Dispose());

        Assert.Contains("ssh-dss key", error.Message, StringComparison.Ordinal);
        Assert.Contains("ssh-dss not in PubkeyAcceptedAlgorithms", target.Log, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Connect_with_an_ed25519_key_logs_in_on_either_server(bool takesDsa)
    {
        var target = takesDsa ? _targets.Accepting : _targets.Refusing;

        var result = RunAs(target, _targets.Ed25519Key, "id -un");

        Assert.Equal((0, UserName + "\n"), (result.ExitStatus, result.Output));
    }

    [Fact]
    public void OpenSSHs_client_logs_in_with_the_same_dsa_key_where_the_server_takes_ssh_dss()
    {
        var keyFile = _temp.WritePrivateKey(_targets.DsaKey);

        var result = _targets.Accepting.Ssh(UserName, keyFile, "id -un", "PubkeyAcceptedAlgorithms=+ssh-dss");

        Assert.True(result.ExitCode == 0, $"ssh failed (exit code {result.ExitCode}): {result.Error}");
        Assert.Equal(UserName + "\n", result.Output);
    }

    [Fact]
    public void OpenSSHs_client_is_refused_with_the_same_dsa_key_where_the_server_keeps_the_default()
    {
        var keyFile = _temp.WritePrivateKey(_targets.DsaKey);

        var result = _targets.Refusing.Ssh(UserName, keyFile, "id -un", "PubkeyAcceptedAlgorithms=+ssh-dss");

        Assert.Equal(255, result.ExitCode);
        Assert.Contains("Permission denied", result.Error, StringComparison.Ordinal);
    }

    private CommandResult RunAs(SshTarget target, SshKey key, string script)
    {
        var login = SshLogin.WithKey(UserName, key);
        using var session = SshConnector.Connect(target.Endpoint, _targets.Pins[target], login, SshOptions.Default);
        return session.Run(script, new SilentConversation());
    }

    /// <summary>A conversation for a command that reads nothing.</summary>
    private sealed class SilentConversation : Conversation
    {
        public override void OnOutput(string output, ConversationInput input)
        {
        }
    }
}
