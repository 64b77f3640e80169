using System;
using System.Security;
using System.Security.Cryptography;
using System.Text;

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

    /// <summary>The bytes, read as UTF-8, in a read-only SecureString; no managed string is made on the way.</summary>
    public SecureString ToSecureString()
    {
        var chars = GC.AllocateArray<char>(Encoding.UTF8.GetCharCount(Span), pinned: true);
        try
        {
            Encoding.UTF8.GetChars(Span, chars);
            var text = new SecureString();
            foreach (var c in chars)
            {
                text.AppendChar(c);
            }

            text.MakeReadOnly();
            return text;
        }
        finally
        {
            Array.Clear(chars);
        }
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
