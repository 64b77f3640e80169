using System;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace PassMan.Crypto;

/// <summary>
/// The stored form of one secret: AES-256-GCM under a data key, with a fresh nonce each time.
/// </summary>
/// <remarks>
/// Layout: format version (1 byte), key id (16), nonce (12), tag (16), ciphertext. The associated
/// data binds the format version, the record's stable id, the field name and the key id, so a
/// ciphertext copied into another record, another field or another vault's key fails to open.
/// </remarks>
public static class SecretEnvelope
{
    /// <summary>The envelope format this version of PassMan writes.</summary>
    public const byte FormatVersion = 1;

    private const int KeyIdSize = 16;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int HeaderSize = 1 + KeyIdSize + NonceSize + TagSize;

    private static readonly byte[] s_domain = Encoding.ASCII.GetBytes("passman/secret");

    /// <summary>Encrypts <paramref name="plaintext"/> for the field <paramref name="field"/> of a record.</summary>
    public static byte[] Seal(KeyRing keys, Guid recordId, string field, ReadOnlySpan<byte> plaintext)
    {
        var key = keys.Active;
        var envelope = new byte[HeaderSize + plaintext.Length];
        var span = envelope.AsSpan();

        span[0] = FormatVersion;
        key.Id.TryWriteBytes(span.Slice(1, KeyIdSize));
        var nonce = span.Slice(1 + KeyIdSize, NonceSize);
        var tag = span.Slice(1 + KeyIdSize + NonceSize, TagSize);
        RandomNumberGenerator.Fill(nonce);

        using var aes = new AesGcm(key.Bytes, TagSize);
        aes.Encrypt(nonce, plaintext, span[HeaderSize..], tag, AssociatedData(FormatVersion, recordId, field, key.Id));
        return envelope;
    }

    /// <summary>
    /// Decrypts an envelope made by <see cref="Seal"/> for the same record and field. Fails with
    /// <see cref="ErrorIds.SecretTampered"/> when the envelope was changed or belongs elsewhere.
    /// </summary>
    public static SecretBuffer Open(KeyRing keys, Guid recordId, string field, ReadOnlySpan<byte> envelope)
    {
        if (envelope.Length < HeaderSize || envelope[0] != FormatVersion)
        {
            throw Tampered(recordId, field);
        }

        var keyId = new Guid(envelope.Slice(1, KeyIdSize));
        var key = keys.Find(keyId) ?? throw Tampered(recordId, field);
        var nonce = envelope.Slice(1 + KeyIdSize, NonceSize);
        var tag = envelope.Slice(1 + KeyIdSize + NonceSize, TagSize);
        var ciphertext = envelope[HeaderSize..];

        var plaintext = new SecretBuffer(ciphertext.Length);
        try
        {
            using var aes = new AesGcm(key.Bytes, TagSize);
            aes.Decrypt(nonce, ciphertext, tag, plaintext.Span, AssociatedData(envelope[0], recordId, field, keyId));
            return plaintext;
        }
        catch (AuthenticationTagMismatchException)
        {
            plaintext.Dispose();
            throw Tampered(recordId, field);
        }
    }

    private static byte[] AssociatedData(byte version, Guid recordId, string field, Guid keyId)
    {
        var fieldBytes = Encoding.UTF8.GetBytes(field);
        var data = new byte[s_domain.Length + 1 + 16 + 4 + fieldBytes.Length + 16];
        var span = data.AsSpan();

        s_domain.CopyTo(span);
        span = span[s_domain.Length..];
        span[0] = version;
        recordId.TryWriteBytes(span.Slice(1, 16));
        BinaryPrimitives.WriteInt32BigEndian(span.Slice(17, 4), fieldBytes.Length);
        fieldBytes.CopyTo(span[21..]);
        keyId.TryWriteBytes(span[(21 + fieldBytes.Length)..]);
        return data;
    }

    private static PassManException Tampered(Guid recordId, string field) => new(
        ErrorIds.SecretTampered,
        PassManErrorKind.Security,
        $"The stored secret '{field}' of record {recordId} failed its integrity check: it was changed, "
            + "or copied from another record. Restore the vault from a backup.",
        recordId);
}
