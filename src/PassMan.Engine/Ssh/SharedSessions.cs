using System;
using System.Collections.Generic;
using System.Linq;

namespace PassMan.Ssh;

/// <summary>
/// The connections that the items of one bulk run share: those of one login on one target (a
/// reconcile account, say) use one connection, made when first asked for and closed with the
/// run, each item on channels of its own. OpenSSH allows ten sessions on a connection by default
/// (MaxSessions); past <see cref="UsersPerConnection"/> at once, another connection is opened.
/// A login the target refused is not tried again in the run: every later item gets the refusal at
/// once, so that the run counts one failure against the account's lockout, not one per item.
/// </summary>
internal sealed class SharedSessions : IDisposable
{
    /// <summary>Items on one connection at once: below OpenSSH's default MaxSessions of 10.</summary>
    internal const int UsersPerConnection = 8;

    private readonly Dictionary<string, Shared> _byLogin = new(StringComparer.Ordinal);
    private bool _disposed;

    /// <summary>
    /// A session for the login named by <paramref name="key"/>: one already open with room on it,
    /// or a new one from <paramref name="connect"/>. Disposing it gives it back.
    /// </summary>
    public SshSession Lend(string key, Func<SshSession> connect)
    {
        ArgumentNullException.ThrowIfNull(connect);
        Shared shared;
        lock (_byLogin)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_byLogin.TryGetValue(key, out shared!))
            {
                shared = new Shared();
                _byLogin.Add(key, shared);
            }
        }

        // One connect at a time per login: the others want the same connection, not one each.
        lock (shared)
        {
            if (shared.Refused is { } refused)
            {
                throw new PassManException(refused.ErrorId, refused.Kind, refused.Message, refused.Target, refused);
            }

            foreach (var gone in shared.Open.Where(c => c.Users == 0 && !c.Session.IsConnected).ToList())
            {
                gone.Session.Dispose();
                shared.Open.Remove(gone);
            }

            var connection = shared.Open.FirstOrDefault(c => c.Users < UsersPerConnection && c.Session.IsConnected);
            if (connection is null)
            {
                try
                {
                    connection = new Connection(connect());
                }
                catch (PassManException failure) when (failure.ErrorId == ErrorIds.LoginFailed)
                {
                    shared.Refused = failure;
                    throw;
                }

                shared.Open.Add(connection);
            }

            connection.Users++;
            return connection.Session.Lend(() =>
            {
                lock (shared)
                {
                    connection.Users--;
                }
            });
        }
    }

    /// <summary>Closes every connection. The run's items have ended by now.</summary>
    public void Dispose()
    {
        lock (_byLogin)
        {
            _disposed = true;
            foreach (var shared in _byLogin.Values)
            {
                lock (shared)
                {
                    shared.Open.ForEach(c => c.Session.Dispose());
                    shared.Open.Clear();
                }
            }
        }
    }

    private sealed class Shared
    {
        public List<Connection> Open { get; } = [];

        public PassManException? Refused { get; set; }
    }

    private sealed class Connection(SshSession session)
    {
        public SshSession Session => session;

        public int Users { get; set; }
    }
}
