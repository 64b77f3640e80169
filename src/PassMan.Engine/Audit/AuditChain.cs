using System;
using System.Buffers.Binary;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using PassMan.Crypto;
using PassMan.Model;

namespace PassMan.Audit;

/// <summary>
/// The keyed hash chain over the audit log. Each entry's MAC covers its own fields and the MAC of
/// the entry before; the vault stores the last one as the head. The key is derived from a data
/// key, so someone who edits, deletes or inserts rows with a SQLite tool cannot compute a valid
/// MAC, and a cut-off tail no longer matches the head.
/// </summary>
internal static class AuditChain
{
    public const int MacLength = 32;

    /// <summary>The MAC key for a vault, derived from the data key named for the audit.</summary>
    public static SecretBuffer DeriveKey(KeyRing keys, Guid vaultId, Guid auditKeyId) =>
        PurposeKeys.Derive(keys, vaultId, auditKeyId, "passman/audit-mac/1");

    /// <summary>The value the first entry chains to: the vault's id, so logs of two vaults never splice.</summary>
    public static byte[] Genesis(Guid vaultId)
    {
        var genesis = new byte[MacLength];
        vaultId.TryWriteBytes(genesis);
        return genesis;
    }

    /// <summary>
    /// What the vault stores as the head: a MAC over the last entry's number and MAC, so that the
    /// head cannot be moved back to an earlier entry without the key.
    /// </summary>
    public static byte[] HeadMac(SecretBuffer key, long sequence, ReadOnlySpan<byte> lastMac)
    {
        var data = new byte[4 + 8 + lastMac.Length];
        "head"u8.CopyTo(data);
        BinaryPrimitives.WriteInt64BigEndian(data.AsSpan(4, 8), sequence);
        lastMac.CopyTo(data.AsSpan(12));
        return HMACSHA256.HashData(key.Span, data);
    }

    public static byte[] Mac(SecretBuffer key, ReadOnlySpan<byte> previous, AuditRecord entry)
    {
        return HMACSHA256.HashData(key.Span, Canonical(previous, entry));
    }

    private static byte[] Canonical(ReadOnlySpan<byte> previous, AuditRecord entry)
    {
        using var stream = new MemoryStream();
        stream.Write(previous);
        Span<byte> number = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(number, entry.Sequence);
        stream.Write(number);
        BinaryPrimitives.WriteInt64BigEndian(number, entry.TimeUtc.ToUnixTimeMilliseconds());
        stream.Write(number);
        foreach (var field in new[]
        {
            entry.OsUser, entry.Machine, entry.Action, entry.Target, entry.UserName, entry.Outcome, entry.ErrorId,
            entry.Details,
        })
        {
            // A length (or -1 for none) before each field, so that no two entries encode alike.
            var bytes = field is null ? null : Encoding.UTF8.GetBytes(field);
            BinaryPrimitives.WriteInt32BigEndian(number, bytes?.Length ?? -1);
            stream.Write(number[..4]);
            if (bytes is not null)
            {
                stream.Write(bytes);
            }
        }

        return stream.ToArray();
    }
}
