using System;
using System.Collections.Generic;
using System.Diagnostics;

namespace PassMan.Commands.Hosting;

/// <summary>
/// Collects pipeline input for one write transaction. Objects are written to the pipeline only
/// after their batch has committed, so nothing is reported as done before it is durable; one
/// commit per batch instead of per item is what makes onboarding thousands of rows fast.
/// </summary>
/// <remarks>
/// Items that hold secrets are released once their batch is written, and, when the pipeline is
/// stopped before that, when the buffer is disposed.
/// </remarks>
internal sealed class BatchBuffer<TItem> : IDisposable
{
    /// <summary>The most items in one transaction.</summary>
    public const int MaxItems = 500;

    /// <summary>How long an item may wait for companions before its batch is written.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMilliseconds(250);

    private readonly List<TItem> _items = new();
    private readonly Stopwatch _age = new();
    private readonly Action<IReadOnlyList<TItem>> _write;
    private readonly Action<TItem>? _release;

    /// <summary>Creates a buffer that hands each batch to <paramref name="write"/>.</summary>
    public BatchBuffer(Action<IReadOnlyList<TItem>> write, Action<TItem>? release = null)
    {
        _write = write;
        _release = release;
    }

    /// <summary>Adds an item, and writes the batch when it is full or its first item has waited long enough.</summary>
    public void Add(TItem item)
    {
        if (_items.Count == 0)
        {
            _age.Restart();
        }

        _items.Add(item);
        if (_items.Count >= MaxItems || _age.Elapsed >= MaxDelay)
        {
            Flush();
        }
    }

    /// <summary>Writes the items collected so far, if any.</summary>
    public void Flush()
    {
        if (_items.Count == 0)
        {
            return;
        }

        var items = _items.ToArray();
        _items.Clear();
        try
        {
            _write(items);
        }
        finally
        {
            Release(items);
        }
    }

    /// <summary>Releases the items never written.</summary>
    public void Dispose()
    {
        Release(_items);
        _items.Clear();
    }

    private void Release(IEnumerable<TItem> items)
    {
        if (_release is null)
        {
            return;
        }

        foreach (var item in items)
        {
            _release(item);
        }
    }
}
