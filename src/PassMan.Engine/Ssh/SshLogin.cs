using System;
using PassMan.Crypto;
using PassMan.Keys;

namespace PassMan.Ssh;

/// <summary>Where to connect: the target's name, for messages, and its address.</summary>
public sealed record SshEndpoint(string TargetName, string HostName, int Port)
{
    /// <summary>host:port, as messages show it.</summary>
    public override string ToString() => $"{HostName}:{Port}";
}

/// <summary>
/// How to log in: a user name with a password or a private key. The login owns neither; the
/// caller keeps them alive while the login is used and disposes them afterwards.
/// </summary>
public sealed class SshLogin
{
    private SshLogin(string userName, SecretBuffer? password, SshKey? key)
    {
        UserName = userName;
        Password = password;
        Key = key;
    }

    /// <summary>The user to log in as.</summary>
    public string UserName { get; }

    /// <summary>The password, for a password login.</summary>
    public SecretBuffer? Password { get; }

    /// <summary>The private key, for a key login.</summary>
    public SshKey? Key { get; }

    /// <summary>What the login uses, for messages: "password" or the key type.</summary>
    public string Method => Key is null ? "password" : $"{Key.KeyType} key";

    /// <summary>A login with a password.</summary>
    public static SshLogin WithPassword(string userName, SecretBuffer password) =>
        new(userName, password ?? throw new ArgumentNullException(nameof(password)), key: null);

    /// <summary>A login with a private key.</summary>
    public static SshLogin WithKey(string userName, SshKey key) =>
        new(userName, password: null, key ?? throw new ArgumentNullException(nameof(key)));
}

/// <summary>Time limits for SSH work, and how often a refused connection is tried again.</summary>
/// <param name="ConnectTimeout">For the TCP connection, key exchange and authentication.</param>
/// <param name="CommandTimeout">For one command on the target, from start to exit.</param>
/// <param name="ConnectAttempts">
/// How many times a connection that the server drops before authentication (OpenSSH's
/// MaxStartups does that to a busy server) is tried, with a growing, jittered wait in between.
/// A refused login is never tried again.
/// </param>
public sealed record SshOptions(TimeSpan ConnectTimeout, TimeSpan CommandTimeout, int ConnectAttempts = 6)
{
    /// <summary>15 seconds to connect, 60 for a command, 6 attempts.</summary>
    public static SshOptions Default { get; } = new(TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(60));
}
