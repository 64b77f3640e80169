using System;
using System.Security.Cryptography;
using System.Text;

namespace PassMan.Crypto;

/// <summary>
/// Wraps a data key under a key-encryption key (from the key file or the passphrase) with
/// AES-256-GCM, bound to the vault id and the key id.
/// </summary>
internal static class KeyWrap
{
    public const int KekLength = 32;

    private const int NonceSize = 12;
    private const int TagSize = 16;

    public static byte[] Wrap(ReadOnlySpan<byte> kek, Guid vaultId, DataKey key)
    {
        var wrapped = new byte[NonceSize + TagSize + DataKey.Length];
        var nonce = wrapped.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);

        using var aes = new AesGcm(kek, TagSize);
        aes.Encrypt(
            nonce,
            key.Bytes,
            wrapped.AsSpan(NonceSize + TagSize),
            wrapped.AsSpan(NonceSize, TagSize),
            AssociatedData(vaultId, key.Id));
        return wrapped;
    }

    /// <summary>Returns the unwrapped key, or null when <paramref name="kek"/> did not wrap it.</summary>
    public static DataKey? TryUnwrap(ReadOnlySpan<byte> kek, Guid vaultId, Guid keyId, ReadOnlySpan<byte> wrapped)
    {
        if (wrapped.Length != NonceSize + TagSize + DataKey.Length)
        {
            return null;
        }

        var key = new SecretBuffer(DataKey.Length);
        try
        {
            using var aes = new AesGcm(kek, TagSize);
            aes.Decrypt(
                wrapped[..NonceSize],
                wrapped[(NonceSize + TagSize)..],
                wrapped.Slice(NonceSize, TagSize),
                key.Span,
                AssociatedData(vaultId, keyId));
            return DataKey.FromBuffer(keyId, key);
        }
        catch (AuthenticationTagMismatchException)
        {
            key.Dispose();
            return null;
        }
    }

    private static byte[] AssociatedData(Guid vaultId, Guid keyId)
    {
        var domain = Encoding.ASCII.GetBytes("passman/data-key/1");
        var data = new byte[domain.Length + 32];
        domain.CopyTo(data, 0);
        vaultId.TryWriteBytes(data.AsSpan(domain.Length, 16));
        keyId.TryWriteBytes(data.AsSpan(domain.Length + 16, 16));
        return data;
    }
}
