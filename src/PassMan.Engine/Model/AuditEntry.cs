using System;

namespace PassMan.Model;

/// <summary>One entry of the audit log, as Get-PMAuditLog shows it. Never holds a secret.</summary>
public sealed class AuditEntry
{
    internal AuditEntry(AuditRecord record)
    {
        Sequence = record.Sequence;
        Time = Times.Show(record.TimeUtc)!;
        User = record.OsUser;
        Machine = record.Machine;
        Action = record.Action;
        Target = record.Target;
        UserName = record.UserName;
        Outcome = record.Outcome;
        ErrorId = record.ErrorId;
        Details = record.Details;
    }

    /// <summary>The entry's place in the chain, from 1.</summary>
    public long Sequence { get; }

    /// <summary>When it happened, ISO 8601 UTC.</summary>
    public string Time { get; }

    /// <summary>The operating-system user who did it.</summary>
    public string User { get; }

    /// <summary>The machine it was done on.</summary>
    public string Machine { get; }

    /// <summary>What was done, such as AccountCreated.</summary>
    public string Action { get; }

    /// <summary>The target concerned, if any.</summary>
    public string? Target { get; }

    /// <summary>The account's user name concerned, if any.</summary>
    public string? UserName { get; }

    /// <summary>Success or Failure.</summary>
    public string Outcome { get; }

    /// <summary>The error id of a failure.</summary>
    public string? ErrorId { get; }

    /// <summary>What changed, without secrets.</summary>
    public string? Details { get; }
}

/// <summary>An audit entry as stored, with the MAC that chains it to the one before.</summary>
public sealed record AuditRecord(
    long Sequence,
    DateTimeOffset TimeUtc,
    string OsUser,
    string Machine,
    string Action,
    string? Target,
    string? UserName,
    string Outcome,
    string? ErrorId,
    string? Details,
    byte[] Mac);

/// <summary>The result of Test-PMAuditLog.</summary>
public sealed class AuditVerification
{
    internal AuditVerification(long entryCount, long? firstBrokenSequence, string? reason)
    {
        EntryCount = entryCount;
        FirstBrokenSequence = firstBrokenSequence;
        Reason = reason;
    }

    /// <summary>Whether every entry and the stored head agree with the chain.</summary>
    public bool IsValid => FirstBrokenSequence is null;

    /// <summary>How many entries were checked.</summary>
    public long EntryCount { get; }

    /// <summary>The sequence number where the chain first breaks, or null.</summary>
    public long? FirstBrokenSequence { get; }

    /// <summary>What is wrong there.</summary>
    public string? Reason { get; }
}
