using System;
using System.IO;

namespace PassMan.Crypto;

/// <summary>
/// The key file of a key-file vault: a random key-encryption key, readable by its owner alone.
/// </summary>
/// <remarks>
/// Layout: the 8-byte magic "PMKEY", 0, 1, 0 (format 1), the vault id (16 bytes), the key (32).
/// The vault id lets PassMan tell a key file of another vault from a damaged one.
/// </remarks>
internal static class KeyFile
{
    private const int IdSize = 16;

    private static ReadOnlySpan<byte> Magic => "PMKEY\0\u0001\0"u8;

    private static int FileLength => Magic.Length + IdSize + KeyWrap.KekLength;

    /// <summary>Writes a new key file for the vault and returns its key; fails if the file exists.</summary>
    public static SecretBuffer CreateNew(string path, Guid vaultId)
    {
        if (File.Exists(path))
        {
            throw new PassManException(
                ErrorIds.VaultExists,
                PassManErrorKind.AlreadyExists,
                $"A key file exists already at '{path}'. Move it away or choose another key file path.",
                path);
        }

        var kek = SecretBuffer.Random(KeyWrap.KekLength);
        using var content = new SecretBuffer(FileLength);
        Magic.CopyTo(content.Span);
        vaultId.TryWriteBytes(content.Span.Slice(Magic.Length, IdSize));
        kek.Span.CopyTo(content.Span[(Magic.Length + IdSize)..]);

        try
        {
            OwnerOnlyFiles.CreateDirectory(Path.GetDirectoryName(path)!);
            using var stream = OwnerOnlyFiles.CreateNew(path);
            stream.Write(content.Span);
            stream.Flush(flushToDisk: true);
            return kek;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            kek.Dispose();
            throw new PassManException(
                ErrorIds.VaultIOError,
                PassManErrorKind.ResourceUnavailable,
                $"Cannot write the key file '{path}': {e.Message}",
                path,
                e);
        }
    }

    /// <summary>Reads the key of the vault <paramref name="vaultId"/> from <paramref name="path"/>.</summary>
    public static SecretBuffer Read(string path, Guid vaultId)
    {
        if (!File.Exists(path))
        {
            throw new PassManException(
                ErrorIds.KeyFileNotFound,
                PassManErrorKind.NotFound,
                $"The vault's key file '{path}' does not exist. Without it the vault cannot be opened; "
                    + "restore the key file from where it was kept.",
                path);
        }

        if (!OwnerOnlyFiles.IsOwnerOnly(path))
        {
            throw new PassManException(
                ErrorIds.KeyFileInsecure,
                PassManErrorKind.Security,
                $"The key file '{path}' is accessible to other users. Restrict it to its owner "
                    + $"(chmod 600 '{path}') and consider the vault's secrets exposed.",
                path);
        }

        using var content = new SecretBuffer(FileLength + 1);
        int read;
        try
        {
            // Unbuffered: the FileStream's own buffer would keep a copy of the key that nobody clears.
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
            read = stream.ReadAtLeast(content.Span, content.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PassManException(
                ErrorIds.VaultIOError,
                PassManErrorKind.ResourceUnavailable,
                $"Cannot read the key file '{path}': {e.Message}",
                path,
                e);
        }

        var bytes = content.Span;
        if (read != FileLength || !bytes[..Magic.Length].SequenceEqual(Magic))
        {
            throw Invalid(path, "it is not a PassMan key file");
        }

        if (new Guid(bytes.Slice(Magic.Length, IdSize)) != vaultId)
        {
            throw Invalid(path, "it belongs to another vault");
        }

        return new SecretBuffer(bytes.Slice(Magic.Length + IdSize, KeyWrap.KekLength));
    }

    private static PassManException Invalid(string path, string reason) => new(
        ErrorIds.KeyFileInvalid,
        PassManErrorKind.InvalidData,
        $"The key file '{path}' cannot open this vault: {reason}.",
        path);
}
