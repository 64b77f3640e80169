using System;
using System.Collections.Generic;
using System.Diagnostics;

namespace PassMan.Commands.Hosting;

/// <summary>
/// Collects pipeline input for one write transaction. Objects are written to the pipeline only
/// after their batch has committed, so nothing is reported as done before it is durable; one
/// commit per batch instead of per item is what makes onboarding thousands of rows fast.
/// </summary>
internal sealed class BatchBuffer<TItem>
{
    /// <summary>The most items in one transaction.</summary>
    public const int MaxItems = 500;

    /// <summary>How long an item may wait for companions before its batch is written.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMilliseconds(250);

    private readonly List<TItem> _items = new();
    private readonly Stopwatch _age = new();

    /// <summary>Adds an item; returns whether the batch is due to be written.</summary>
    public bool Add(TItem item)
    {
        if (_items.Count == 0)
        {
            _age.Restart();
        }

        _items.Add(item);
        return _items.Count >= MaxItems || _age.Elapsed >= MaxDelay;
    }

    /// <summary>Takes the collected items, leaving the buffer empty.</summary>
    public IReadOnlyList<TItem> Take()
    {
        var items = _items.ToArray();
        _items.Clear();
        return items;
    }

    /// <summary>Whether items are waiting.</summary>
    public bool IsEmpty => _items.Count == 0;
}
