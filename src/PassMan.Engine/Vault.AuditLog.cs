using System;
using System.Collections.Generic;
using System.Linq;
using PassMan.Audit;
using PassMan.Model;
using PassMan.Storage;

namespace PassMan;

/// <summary>Reading and verifying the audit log.</summary>
public sealed partial class Vault
{
    /// <summary>Streams audit entries in sequence order.</summary>
    public IEnumerable<AuditEntry> GetAuditLog(
        string? target = null,
        string? userName = null,
        string? action = null,
        DateTimeOffset? after = null,
        DateTimeOffset? before = null,
        int? last = null)
    {
        if (last is < 1)
        {
            throw new PassManException(
                ErrorIds.InvalidArgument,
                PassManErrorKind.InvalidArgument,
                "-Last must be at least 1.",
                last);
        }

        var filter = new AuditFilter(
            target is null ? null : NamePattern.Parse(target),
            userName is null ? null : NamePattern.Parse(userName),
            action is null ? null : NamePattern.Parse(action),
            after,
            before,
            last);
        return _store.ListAudit(filter).Select(record => new AuditEntry(record));
    }

    /// <summary>
    /// Recomputes the chain from the first entry and reports the first that does not fit: an
    /// edited entry, a gap where one was deleted, an entry inserted without the key, or a tail cut
    /// off below the stored head.
    /// </summary>
    public AuditVerification VerifyAuditLog()
    {
        var key = _auditKey ??= AuditChain.DeriveKey(RequireKeys(), Id, _header.AuditKeyId);
        var head = _store.ReadAuditHead();
        var previous = AuditChain.Genesis(Id);
        long count = 0;
        foreach (var entry in _store.ListAudit(new AuditFilter()))
        {
            count++;
            if (entry.Sequence != count)
            {
                return new AuditVerification(
                    count - 1,
                    count,
                    entry.Sequence > count
                        ? $"entries {count} to {entry.Sequence - 1} are missing"
                        : $"entry {entry.Sequence} appears out of order");
            }

            var expected = AuditChain.Mac(key, previous, entry);
            if (!expected.AsSpan().SequenceEqual(entry.Mac))
            {
                return new AuditVerification(
                    count - 1,
                    count,
                    "the entry was changed or inserted: its MAC does not match");
            }

            previous = entry.Mac;
        }

        // The search keys are outside the MAC; a changed one would hide entries from filtered queries.
        using (var keys = _store.ListAuditKeys().GetEnumerator())
        {
            foreach (var entry in _store.ListAudit(new AuditFilter()))
            {
                keys.MoveNext();
                var (sequence, targetKey, userKey) = keys.Current;
                if (targetKey != (entry.Target is null ? null : Names.Fold(entry.Target))
                    || userKey != (entry.UserName is null ? null : Names.Fold(entry.UserName)))
                {
                    return new AuditVerification(
                        count,
                        sequence,
                        "its search keys do not match its target or user name");
                }
            }
        }

        if (count == 0)
        {
            return new AuditVerification(0, 1, "the log is empty, but every vault's log begins with its creation");
        }

        if (head is null
            || head.Sequence != count
            || !head.Mac.AsSpan().SequenceEqual(AuditChain.HeadMac(key, count, previous)))
        {
            return new AuditVerification(
                count,
                Math.Min(count, head?.Sequence ?? 0) + 1,
                $"the stored head names entry {head?.Sequence ?? 0}, but the log ends at entry {count}: entries were "
                    + "removed from the end or the head was changed");
        }

        return new AuditVerification(count, null, null);
    }
}
