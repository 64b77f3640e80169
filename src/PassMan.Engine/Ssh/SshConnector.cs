using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using PassMan.Crypto;
using PassMan.Model;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace PassMan.Ssh;

/// <summary>
/// Opens SSH connections for the engine, and never one to a host whose key the vault does not
/// pin: the key is judged while the key exchange runs, before any credential is sent.
/// </summary>
public static class SshConnector
{
    /// <summary>
    /// Collects every host key the server offers, one connection per key type (a server shows
    /// one key per key exchange, chosen from the algorithms the client offers), in parallel.
    /// Nothing is authenticated and nothing is trusted.
    /// </summary>
    public static IReadOnlyList<HostKey> Scan(SshEndpoint endpoint, SshOptions options)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(options);
        var scans = HostKeyTypes.All
            .Select(type => Task.Run(() =>
                Retrying(options, () => new Offer(OfferedKey(endpoint, options, HostKeyTypes.AlgorithmsOf(type))))))
            .ToArray();
        try
        {
            Task.WaitAll(scans);
        }
        catch (AggregateException failure)
        {
            // An unreachable host fails every scan alike; the first failure tells it.
            var first = failure.InnerExceptions[0];
            throw failure.InnerExceptions.OfType<PassManException>().FirstOrDefault()
                ?? SshErrors.Unreachable(endpoint, first);
        }

        var keys = scans.Select(scan => scan.Result.Key).OfType<HostKey>().ToList();
        return keys.Count > 0
            ? keys
            : throw SshErrors.Unreachable(endpoint, new SshConnectionException("the server offered no host key"));
    }

    /// <summary>
    /// Connects and logs in. Fails with HostKeyNotTrusted when nothing is pinned for the host and
    /// port, HostKeyMismatch when the server's key is not a pinned one (before any credential is
    /// sent), TargetUnreachable, and LoginFailed when the server refuses the credential.
    /// </summary>
    public static SshSession Connect(
        SshEndpoint endpoint,
        IReadOnlyCollection<HostKeyPin> pins,
        SshLogin login,
        SshOptions options)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(pins);
        ArgumentNullException.ThrowIfNull(login);
        ArgumentNullException.ThrowIfNull(options);
        return Retrying(options, () => ConnectOnce(endpoint, pins, login, options));
    }

    /// <summary>
    /// Runs <paramref name="connect"/>, again after a wait when the server dropped the connection
    /// before authentication, up to <see cref="SshOptions.ConnectAttempts"/> times. The wait
    /// doubles from 0.2 seconds, to at most 3, with up to half of it again at random, so that many
    /// workers refused at once do not come back at once.
    /// </summary>
    internal static T Retrying<T>(SshOptions options, Func<T> connect)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return connect();
            }
            catch (PassManException failure) when (attempt < options.ConnectAttempts && IsDropped(failure))
            {
                var wait = Math.Min(3000, 200 * (1 << (attempt - 1)));
                Thread.Sleep(wait + Random.Shared.Next(wait / 2 + 1));
            }
        }
    }

    /// <summary>
    /// Whether the server dropped the connection before authentication: reset, aborted, or closed
    /// during the key exchange. Not a refused TCP connection, a timeout, or a failed negotiation.
    /// </summary>
    private static bool IsDropped(PassManException failure) =>
        failure.ErrorId == ErrorIds.TargetUnreachable && failure.InnerException switch
        {
            SocketException socket => socket.SocketErrorCode is SocketError.ConnectionReset
                or SocketError.ConnectionAborted,
            SshConnectionException ssh => !ssh.Message.StartsWith("No matching", StringComparison.Ordinal),
            IOException => true,
            _ => false,
        };

    private static SshSession ConnectOnce(
        SshEndpoint endpoint,
        IReadOnlyCollection<HostKeyPin> pins,
        SshLogin login,
        SshOptions options)
    {
        using var method = AuthenticationFor(login);
        var info = ConnectionInfoFor(endpoint, options, HostKeyTrust.AlgorithmsFor(pins), method.Method);
        var client = new SshClient(info);
        HostKey? offered = null;
        var verdict = HostKeyTrust.Verdict.NotTrusted;
        client.HostKeyReceived += (_, e) =>
        {
            offered = new HostKey(e.HostKey);
            verdict = HostKeyTrust.Judge(offered, pins);
            e.CanTrust = verdict == HostKeyTrust.Verdict.Trusted;
        };

        try
        {
            client.Connect();
            return new SshSession(endpoint, client, options);
        }
        catch (Exception failure) when (offered is not null && verdict != HostKeyTrust.Verdict.Trusted)
        {
            client.Dispose();
            throw verdict == HostKeyTrust.Verdict.NotTrusted
                ? SshErrors.HostKeyNotTrusted(endpoint, offered, failure)
                : SshErrors.HostKeyMismatch(endpoint, offered, pins, failure);
        }
        catch (SshAuthenticationException failure)
        {
            client.Dispose();
            throw SshErrors.LoginFailed(endpoint, login, failure);
        }
        catch (Exception failure) when (IsConnectionFailure(failure))
        {
            client.Dispose();
            throw SshErrors.Unreachable(endpoint, failure);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>What one scan found: a key, or none of its type.</summary>
    private sealed record Offer(HostKey? Key);

    private static HostKey? OfferedKey(SshEndpoint endpoint, SshOptions options, IReadOnlyList<string> algorithms)
    {
        var info = ConnectionInfoFor(endpoint, options, algorithms, new NoneAuthenticationMethod("passman-scan"));
        using var client = new SshClient(info);
        HostKey? offered = null;
        client.HostKeyReceived += (_, e) =>
        {
            offered = new HostKey(e.HostKey);
            e.CanTrust = false;
        };

        try
        {
            client.Connect();
        }
        catch (SshConnectionException failure) when (offered is null
            && failure.Message.StartsWith("No matching host key", StringComparison.Ordinal))
        {
            // The server has no key of these algorithms: the key exchange found nothing in common.
            return null;
        }
        catch (Exception failure) when (offered is null && IsConnectionFailure(failure))
        {
            throw SshErrors.Unreachable(endpoint, failure);
        }
        catch (Exception) when (offered is not null)
        {
            // The expected end of a scan: the key was seen and refused, so the exchange stopped.
        }

        return offered;
    }

    private static ConnectionInfo ConnectionInfoFor(
        SshEndpoint endpoint,
        SshOptions options,
        IReadOnlyList<string> hostKeyAlgorithms,
        AuthenticationMethod method)
    {
        var info = new ConnectionInfo(endpoint.HostName, endpoint.Port, method.Username, method)
        {
            Timeout = options.ConnectTimeout,
        };

        var offered = hostKeyAlgorithms.ToHashSet(StringComparer.Ordinal);
        foreach (var algorithm in info.HostKeyAlgorithms.Keys.Where(a => !offered.Contains(a)).ToList())
        {
            info.HostKeyAlgorithms.Remove(algorithm);
        }

        return info;
    }

    private static bool IsConnectionFailure(Exception failure) =>
        failure is SocketException or SshConnectionException or SshOperationTimeoutException or IOException
            or ProxyException;

    private static OwnedAuthentication AuthenticationFor(SshLogin login)
    {
        if (login.Key is { KeyType: SshKeyTypes.Dsa } dsaKey)
        {
            // SSH.NET 2026 reads no DSA keys: PassMan's own signer stands in for a key file.
            var source = new DsaKeySource(dsaKey);
            return new OwnedAuthentication(new PrivateKeyAuthenticationMethod(login.UserName, source), source, null);
        }

        if (login.Key is { } key)
        {
            using var privateKey = key.ToOpenSshPrivateKey();
            var copy = privateKey.Span.ToArray();
            try
            {
                using var stream = new MemoryStream(copy, writable: false);
                var file = new PrivateKeyFile(stream);
                return new OwnedAuthentication(new PrivateKeyAuthenticationMethod(login.UserName, file), file, null);
            }
            finally
            {
                // The copy the stream read from; the parsed key stays with SSH.NET until disposal.
                Array.Clear(copy);
            }
        }

        var password = login.Password!.Span.ToArray();
        return new OwnedAuthentication(new PasswordAuthenticationMethod(login.UserName, password), null, password);
    }

    /// <summary>An authentication method with what it holds, cleared and disposed together.</summary>
    private sealed class OwnedAuthentication(AuthenticationMethod method, IDisposable? key, byte[]? password)
        : IDisposable
    {
        public AuthenticationMethod Method => method;

        public void Dispose()
        {
            if (password is not null)
            {
                Array.Clear(password);
            }

            (method as IDisposable)?.Dispose();
            key?.Dispose();
        }
    }
}
