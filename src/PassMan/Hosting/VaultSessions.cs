using System;
using System.Collections.Generic;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;

namespace PassMan.Commands.Hosting;

/// <summary>
/// The vault opened in each runspace, with its unlocked keys. It lives as long as the runspace:
/// closing the runspace or removing the module closes the vault and clears the keys. Two runspaces
/// in one process (jobs, ForEach-Object -Parallel) each have their own.
/// </summary>
internal static class VaultSessions
{
    private static readonly ConditionalWeakTable<Runspace, VaultSession> s_sessions = new();

    /// <summary>The session of the runspace running the current pipeline.</summary>
    public static VaultSession Current
    {
        get
        {
            var runspace = Runspace.DefaultRunspace
                ?? throw new InvalidOperationException("PassMan cmdlets run only inside a PowerShell runspace.");
            return s_sessions.GetValue(runspace, Open);
        }
    }

    /// <summary>Closes the vaults of every runspace.</summary>
    public static void CloseAll()
    {
        var sessions = new List<KeyValuePair<Runspace, VaultSession>>(s_sessions);
        foreach (var (runspace, session) in sessions)
        {
            runspace.StateChanged -= OnStateChanged;
            session.Dispose();
            s_sessions.Remove(runspace);
        }
    }

    private static VaultSession Open(Runspace runspace)
    {
        runspace.StateChanged += OnStateChanged;
        return new VaultSession();
    }

    private static void OnStateChanged(object? sender, RunspaceStateEventArgs e)
    {
        if (sender is Runspace runspace
            && e.RunspaceStateInfo.State is RunspaceState.Closed or RunspaceState.Broken
            && s_sessions.TryGetValue(runspace, out var session))
        {
            runspace.StateChanged -= OnStateChanged;
            session.Dispose();
            s_sessions.Remove(runspace);
        }
    }
}

/// <summary>The vault that New-PMVault or Unlock-PMVault opened in one runspace.</summary>
internal sealed class VaultSession : IDisposable
{
    private readonly object _gate = new();
    private Vault? _vault;

    /// <summary>The opened vault, or null when none was opened in this runspace.</summary>
    public Vault? Vault
    {
        get
        {
            lock (_gate)
            {
                return _vault;
            }
        }
    }

    /// <summary>Makes <paramref name="vault"/> this runspace's vault, closing the one before.</summary>
    public void Select(Vault vault)
    {
        lock (_gate)
        {
            if (!ReferenceEquals(_vault, vault))
            {
                _vault?.Dispose();
                _vault = vault;
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_gate)
        {
            _vault?.Dispose();
            _vault = null;
        }
    }
}
