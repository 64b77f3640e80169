using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using PassMan.Ssh;

namespace PassMan;

/// <summary>One finished item of a <see cref="ParallelRun{TItem, TResult}"/>: its result or its error.</summary>
public sealed record ParallelOutcome<TItem, TResult>(TItem Item, TResult? Result, Exception? Error);

/// <summary>
/// Runs work on targets concurrently: at most <c>throttleLimit</c> items at once in all, and at
/// most the target's own limit on one target, so that a bulk run neither overloads one host nor
/// waits for it. Items are added from the pipeline as they come, and finish in any order; each
/// worker uses a vault of its own (its own connection), taken from a small pool. Changes made
/// through one reconcile account on one target share its SSH connection for the run. Nothing here
/// touches PowerShell: the caller takes the finished items on its own thread and writes them.
/// </summary>
public sealed class ParallelRun<TItem, TResult> : IDisposable
{
    private readonly Vault _vault;
    private readonly Func<Vault, TItem, TResult> _work;
    private readonly int _throttleLimit;
    private readonly List<Thread> _workers = [];
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _perTarget = new(StringComparer.Ordinal);
    private readonly BlockingCollection<(TItem Item, SemaphoreSlim Gate)> _queue = new();
    private readonly ConcurrentBag<Vault> _all = [];
    private readonly BlockingCollection<ParallelOutcome<TItem, TResult>> _finished = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly SharedSessions _sessions = new();
    private int _running;

    /// <summary>Creates a run of <paramref name="work"/> on forks of <paramref name="vault"/>.</summary>
    public ParallelRun(Vault vault, int throttleLimit, Func<Vault, TItem, TResult> work)
    {
        ArgumentNullException.ThrowIfNull(vault);
        ArgumentOutOfRangeException.ThrowIfLessThan(throttleLimit, 1);
        _vault = vault;
        _work = work ?? throw new ArgumentNullException(nameof(work));
        _throttleLimit = throttleLimit;
    }

    /// <summary>
    /// Queues an item for the target named by <paramref name="targetKey"/>, which allows
    /// <paramref name="targetLimit"/> connections at once.
    /// </summary>
    public void Add(TItem item, string targetKey, int targetLimit)
    {
        var gate = _perTarget.GetOrAdd(targetKey, _ => new SemaphoreSlim(Math.Max(1, targetLimit)));
        Interlocked.Increment(ref _running);
        _queue.Add((item, gate));
        if (_workers.Count < _throttleLimit && _workers.Count < Volatile.Read(ref _running))
        {
            // Threads of their own: the work blocks on the network, and must not starve the pool.
            var worker = new Thread(Work) { IsBackground = true, Name = "PassMan worker" };
            _workers.Add(worker);
            worker.Start();
        }
    }

    /// <summary>The items finished so far, without waiting.</summary>
    public IEnumerable<ParallelOutcome<TItem, TResult>> TakeFinished()
    {
        while (_finished.TryTake(out var outcome))
        {
            yield return outcome;
        }
    }

    /// <summary>Waits for every item, and gives each as it finishes.</summary>
    public IEnumerable<ParallelOutcome<TItem, TResult>> WaitAll()
    {
        while (Volatile.Read(ref _running) > 0 || _finished.Count > 0)
        {
            if (_finished.TryTake(out var outcome, 100))
            {
                yield return outcome;
            }
        }
    }

    /// <summary>
    /// Stops starting items: those still waiting finish at once with an OperationCanceledException;
    /// those already running on a target go on to their end, so that no change is cut off halfway
    /// and every pending value stays resolvable.
    /// </summary>
    public void Stop() => _stop.Cancel();

    /// <summary>
    /// Stops the run and waits for the items already running on a target to end (their changes
    /// are not cut off halfway), then closes the workers' vaults.
    /// </summary>
    public void Dispose()
    {
        _stop.Cancel();
        _queue.CompleteAdding();
        foreach (var worker in _workers)
        {
            worker.Join(TimeSpan.FromMinutes(3));
        }

        foreach (var vault in _all)
        {
            vault.Dispose();
        }

        _sessions.Dispose();

        foreach (var gate in _perTarget.Values)
        {
            gate.Dispose();
        }

        _queue.Dispose();
        _finished.Dispose();
        _stop.Dispose();
    }

    private void Work()
    {
        Vault? vault = null;
        while (!_queue.IsCompleted)
        {
            if (!_queue.TryTake(out var entry, 100))
            {
                continue;
            }

            if (_stop.IsCancellationRequested)
            {
                Finish(new(entry.Item, default, new OperationCanceledException()));
                continue;
            }

            if (!entry.Gate.Wait(0))
            {
                // Its target is busy: back to the end of the queue, and another target's turn.
                _queue.Add(entry);
                Thread.Sleep(10);
                continue;
            }

            try
            {
                vault ??= Fork();
                Finish(new(entry.Item, _work(vault, entry.Item), null));
            }
            catch (Exception failure)
            {
                Finish(new(entry.Item, default, failure));
            }
            finally
            {
                entry.Gate.Release();
            }
        }
    }

    private void Finish(ParallelOutcome<TItem, TResult> outcome)
    {
        _finished.Add(outcome);
        Interlocked.Decrement(ref _running);
    }

    private Vault Fork()
    {
        // Forking reads the caller's vault; one worker at a time.
        lock (_all)
        {
            var vault = _vault.Fork();
            vault.Sessions = _sessions;
            _all.Add(vault);
            return vault;
        }
    }
}
