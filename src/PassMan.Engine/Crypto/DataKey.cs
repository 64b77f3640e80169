using System;

namespace PassMan.Crypto;

/// <summary>A random 256-bit AES key that encrypts the vault's secrets, named by a key id.</summary>
public sealed class DataKey : IDisposable
{
    /// <summary>The key length in bytes.</summary>
    public const int Length = 32;

    private readonly SecretBuffer _key;

    private DataKey(Guid id, SecretBuffer key)
    {
        Id = id;
        _key = key;
    }

    /// <summary>The key id, stored next to every ciphertext made with this key.</summary>
    public Guid Id { get; }

    internal ReadOnlySpan<byte> Bytes => _key.Span;

    /// <summary>Generates a new key with a new id.</summary>
    public static DataKey Generate() => new(Guid.NewGuid(), SecretBuffer.Random(Length));

    /// <summary>Takes ownership of <paramref name="key"/>, which must be <see cref="Length"/> bytes.</summary>
    internal static DataKey FromBuffer(Guid id, SecretBuffer key)
    {
        if (key.Length != Length)
        {
            key.Dispose();
            throw new ArgumentException($"A data key is {Length} bytes long.", nameof(key));
        }

        return new DataKey(id, key);
    }

    /// <inheritdoc/>
    public void Dispose() => _key.Dispose();
}
