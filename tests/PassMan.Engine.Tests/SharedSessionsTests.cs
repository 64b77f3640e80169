using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using PassMan.Crypto;
using PassMan.Ssh;

namespace PassMan.Tests;

/// <summary>
/// The connections a bulk run shares, against a real sshd whose log counts the logins: one login
/// for many users, a refused login tried once, a dropped connection replaced.
/// </summary>
public sealed class SharedSessionsTests : IClassFixture<SshTargetFixture>
{
    private readonly SshTarget _target;
    private readonly IReadOnlyList<HostKeyPin> _pins;

    public SharedSessionsTests(SshTargetFixture fixture)
    {
        _target = fixture.Target;
        _pins = _target.PinHostKeys();
    }

    [Fact]
    public void Lends_one_connection_to_the_users_of_a_login_until_it_is_full_and_keeps_it_for_the_next()
    {
        const string user = "sharedfull";
        AddUser(user, "Shared-Passw0rd-1");
        using var sessions = new SharedSessions();
        var connects = 0;
        SshSession Connect()
        {
            Interlocked.Increment(ref connects);
            return Login(user, "Shared-Passw0rd-1");
        }

        var lent = Enumerable.Range(0, SharedSessions.UsersPerConnection)
            .Select(_ => sessions.Lend("full", Connect))
            .ToList();

        Assert.Equal(1, connects);
        var outputs = new string[lent.Count];
        Parallel.For(0, lent.Count, i => outputs[i] = lent[i].Run($"sleep 0.2; echo channel-{i}", Conversation.Silent)
            .Output);
        Assert.Equal(Enumerable.Range(0, lent.Count).Select(i => $"channel-{i}\n"), outputs);

        using (var extra = sessions.Lend("full", Connect))
        {
            Assert.Equal(2, connects);
            Assert.Equal("more\n", extra.Run("echo more", Conversation.Silent).Output);
        }

        lent.ForEach(session => session.Dispose());
        using (var again = sessions.Lend("full", Connect))
        {
            Assert.Equal(2, connects);
            Assert.Equal("again\n", again.Run("echo again", Conversation.Silent).Output);
        }

        Assert.Equal(2, Count($"Accepted password for {user} "));
    }

    [Fact]
    public void Tries_a_refused_login_once_and_gives_every_later_user_the_same_refusal()
    {
        const string user = "sharedrefused";
        AddUser(user, "Shared-Passw0rd-2");
        using var sessions = new SharedSessions();

        var first = Assert.Throws<PassManException>(() => sessions.Lend("refused", () => Login(user, "Wrong-1")));
        var second = Assert.Throws<PassManException>(() => sessions.Lend("refused", () => Login(user, "Wrong-1")));

        Assert.Equal(ErrorIds.LoginFailed, first.ErrorId);
        Assert.Equal(ErrorIds.LoginFailed, second.ErrorId);
        Assert.Equal(1, Count($"Failed password for {user} "));
    }

    [Fact]
    public void Replaces_a_connection_that_dropped_once_its_users_gave_it_back()
    {
        const string user = "shareddrop";
        AddUser(user, "Shared-Passw0rd-3");
        using var sessions = new SharedSessions();
        var first = sessions.Lend("drop", () => Login(user, "Shared-Passw0rd-3"));
        Assert.Equal("up\n", first.Run("echo up", Conversation.Silent).Output);

        // The connection's own sshd processes, as a dropped network would end it.
        _target.RunAsRoot($"pkill -KILL -f '^sshd: {user}'");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (first.IsConnected && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(20);
        }

        Assert.False(first.IsConnected);
        first.Dispose();
        using var next = sessions.Lend("drop", () => Login(user, "Shared-Passw0rd-3"));

        Assert.Equal("back\n", next.Run("echo back", Conversation.Silent).Output);
        Assert.Equal(2, Count($"Accepted password for {user} "));
    }

    private void AddUser(string user, string password)
    {
        _target.AddUser(user);
        _target.RunAsRoot("chpasswd", $"{user}:{password}\n");
    }

    private SshSession Login(string user, string password)
    {
        using var secret = new SecretBuffer(Encoding.UTF8.GetBytes(password));
        return SshConnector.Connect(_target.Endpoint, _pins, SshLogin.WithPassword(user, secret), SshOptions.Default);
    }

    private int Count(string pattern) => Regex.Count(_target.Log, Regex.Escape(pattern));
}
