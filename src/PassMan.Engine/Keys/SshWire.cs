using System;
using System.Buffers.Binary;
using System.IO;
using System.Numerics;
using System.Text;

namespace PassMan.Keys;

/// <summary>Writes the SSH wire encoding (RFC 4251): uint32, string and mpint.</summary>
internal sealed class SshWriter : IDisposable
{
    private readonly MemoryStream _stream = new();

    public SshWriter UInt32(uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        _stream.Write(bytes);
        return this;
    }

    public SshWriter String(ReadOnlySpan<byte> value)
    {
        UInt32((uint)value.Length);
        _stream.Write(value);
        return this;
    }

    public SshWriter String(string value) => String(Encoding.UTF8.GetBytes(value));

    /// <summary>
    /// A non-negative integer given as unsigned big-endian bytes: leading zeros dropped, and one
    /// zero byte put back in front when the top bit is set, so it does not read as negative.
    /// </summary>
    public SshWriter MPInt(ReadOnlySpan<byte> unsignedBigEndian)
    {
        var value = unsignedBigEndian.TrimStart((byte)0);
        var pad = value.Length > 0 && (value[0] & 0x80) != 0;
        UInt32((uint)(value.Length + (pad ? 1 : 0)));
        if (pad)
        {
            _stream.WriteByte(0);
        }

        _stream.Write(value);
        return this;
    }

    public SshWriter Raw(ReadOnlySpan<byte> bytes)
    {
        _stream.Write(bytes);
        return this;
    }

    public int Length => (int)_stream.Length;

    public byte[] ToArray() => _stream.ToArray();

    /// <summary>Clears the buffer, which may have held private key material.</summary>
    public void Dispose()
    {
        if (_stream.TryGetBuffer(out var buffer))
        {
            Array.Clear(buffer.Array!, buffer.Offset, buffer.Count);
        }

        _stream.Dispose();
    }
}

/// <summary>Reads the SSH wire encoding, failing with MalformedPrivateKey on anything short or out of range.</summary>
internal ref struct SshReader
{
    private ReadOnlySpan<byte> _rest;

    public SshReader(ReadOnlySpan<byte> data) => _rest = data;

    public readonly bool AtEnd => _rest.IsEmpty;

    public readonly ReadOnlySpan<byte> Rest => _rest;

    public uint UInt32()
    {
        if (_rest.Length < 4)
        {
            throw Malformed("it ends in the middle of a number");
        }

        var value = BinaryPrimitives.ReadUInt32BigEndian(_rest);
        _rest = _rest[4..];
        return value;
    }

    public ReadOnlySpan<byte> String()
    {
        var length = UInt32();
        if (length > _rest.Length)
        {
            throw Malformed("a field is longer than the data");
        }

        var value = _rest[..(int)length];
        _rest = _rest[(int)length..];
        return value;
    }

    /// <summary>Reads a string as <see cref="String"/> does, but answers false when the data is short.</summary>
    public bool TryString(out ReadOnlySpan<byte> value)
    {
        if (_rest.Length < 4 || BinaryPrimitives.ReadUInt32BigEndian(_rest) > _rest.Length - 4)
        {
            value = default;
            return false;
        }

        value = String();
        return true;
    }

    public string Text() => Encoding.UTF8.GetString(String());

    /// <summary>
    /// Reads the key type name a public key blob starts with: 1 to 64 printable ASCII characters, as
    /// every type OpenSSH knows is. False for anything else: a short blob, an empty or odd name.
    /// </summary>
    public bool TryKeyType(out string keyType)
    {
        if (!TryString(out var name) || name.IsEmpty || name.Length > 64
            || name.ContainsAnyExceptInRange((byte)'!', (byte)'~'))
        {
            keyType = string.Empty;
            return false;
        }

        keyType = Encoding.ASCII.GetString(name);
        return true;
    }

    /// <summary>An mpint as unsigned big-endian bytes, without the sign byte.</summary>
    public ReadOnlySpan<byte> MPInt()
    {
        var value = String();
        if (!value.IsEmpty && (value[0] & 0x80) != 0)
        {
            throw Malformed("it holds a negative number where a key number belongs");
        }

        return value.TrimStart((byte)0);
    }

    public ReadOnlySpan<byte> Bytes(int count)
    {
        if (count > _rest.Length)
        {
            throw Malformed("it is shorter than its fields say");
        }

        var value = _rest[..count];
        _rest = _rest[count..];
        return value;
    }

    public static PassManException Malformed(string reason) => new(
        ErrorIds.MalformedPrivateKey,
        PassManErrorKind.InvalidData,
        $"The private key cannot be read: {reason}.");

    public static BigInteger ToBigInteger(ReadOnlySpan<byte> unsignedBigEndian) =>
        new(unsignedBigEndian, isUnsigned: true, isBigEndian: true);
}
