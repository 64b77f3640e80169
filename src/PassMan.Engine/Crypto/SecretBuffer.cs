using System;
using System.Security.Cryptography;

namespace PassMan.Crypto;

/// <summary>
/// Secret bytes in a pinned array that the garbage collector never moves or copies, cleared when
/// disposed. Every decrypted value and every key passes through one of these.
/// </summary>
public sealed class SecretBuffer : IDisposable
{
    private readonly byte[] _bytes;
    private bool _disposed;

    /// <summary>Creates a zero-filled buffer of the given length.</summary>
    public SecretBuffer(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _bytes = GC.AllocateArray<byte>(length, pinned: true);
    }

    /// <summary>Creates a buffer holding a copy of <paramref name="source"/>.</summary>
    public SecretBuffer(ReadOnlySpan<byte> source)
        : this(source.Length)
    {
        source.CopyTo(_bytes);
    }

    /// <summary>The number of bytes held.</summary>
    public int Length => _bytes.Length;

    /// <summary>The bytes, for as long as the buffer is not disposed.</summary>
    public Span<byte> Span
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _bytes;
        }
    }

    /// <summary>Creates a buffer of the given length filled from the system's cryptographic RNG.</summary>
    public static SecretBuffer Random(int length)
    {
        var buffer = new SecretBuffer(length);
        RandomNumberGenerator.Fill(buffer._bytes);
        return buffer;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (!_disposed)
        {
            CryptographicOperations.ZeroMemory(_bytes);
            _disposed = true;
        }
    }
}
