using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using PassMan.Keys;
using PassMan.Model;

namespace PassMan.Ssh;

/// <summary>
/// An OpenSSH authorized_keys file, read as bytes the way sshd(8) reads it (AUTHORIZED_KEYS FILE
/// FORMAT) and edited without rewriting it. PassMan knows its own lines by the key blob alone, never
/// by the comment: the vault holds every public key it ever put on a target.
/// </summary>
/// <remarks>
/// <para>
/// Every line the edits do not remove comes out byte for byte as it went in, in the same order and
/// with its own line ending (LF, CRLF, or none on the last line); that holds for blank lines,
/// comments, text that is not UTF-8, keys of types PassMan does not know and lines sshd cannot read.
/// The one change to such a line: when a key is added to a file whose last line has no line ending,
/// "\n" is written after that line, so that the new line starts on a line of its own.
/// </para>
/// <para>
/// A line holds a key when its blob field is canonical base64 of a public key that names the type
/// the line names (or ssh-rsa, on a line that names rsa-sha2-256 or rsa-sha2-512, as sshd allows).
/// Edits touch only the lines that hold a key they are given; other lines, keys or not, stay.
/// </para>
/// <para>
/// OpenSSH compares keys, not their encodings: a blob that names its type in another way OpenSSH
/// accepts (ED25519 for ssh-ed25519, rsa-sha2-256 for ssh-rsa) or pads an RSA number with a zero
/// byte holds the same key for sshd, but is not the blob PassMan wrote. Such a line stays when
/// PassMan removes its key, and goes on granting it. No OpenSSH tool writes one.
/// </para>
/// </remarks>
public sealed class AuthorizedKeys
{
    // Line types sshd reads as another type: RSA keys named by a signature algorithm of theirs.
    private static readonly Dictionary<string, string> s_aliases = new(StringComparer.Ordinal)
    {
        ["rsa-sha2-256"] = SshKeyTypes.Rsa,
        ["rsa-sha2-512"] = SshKeyTypes.Rsa,
    };

    private readonly byte[] _content;

    private AuthorizedKeys(byte[] content, IReadOnlyList<AuthorizedKeyLine> lines)
    {
        _content = content;
        Lines = lines;
    }

    /// <summary>
    /// Every line of the file in order, key lines and foreign lines alike: their bytes, joined, are
    /// the file that was read.
    /// </summary>
    public IReadOnlyList<AuthorizedKeyLine> Lines { get; }

    /// <summary>
    /// Reads an authorized_keys file from its bytes. Lines end at LF, and a CR before the LF belongs
    /// to the line ending; the last line may have none. Reading fails on nothing.
    /// </summary>
    public static AuthorizedKeys Parse(ReadOnlySpan<byte> content)
    {
        var copy = content.ToArray();
        var lines = new List<AuthorizedKeyLine>();
        for (var start = 0; start < copy.Length;)
        {
            var newline = copy.AsSpan(start).IndexOf((byte)'\n');
            var length = newline < 0 ? copy.Length - start : newline + 1;
            var bytes = new ReadOnlyMemory<byte>(copy, start, length);
            lines.Add(new AuthorizedKeyLine(lines.Count + 1, bytes, ReadKey(WithoutEnding(bytes.Span))));
            start += length;
        }

        return new AuthorizedKeys(copy, lines);
    }

    /// <summary>Whether a key line holds <paramref name="blob"/>, the public key in the SSH wire encoding.</summary>
    public bool Contains(ReadOnlySpan<byte> blob) => FirstWith(blob) is not null;

    /// <summary>
    /// The options of the first line that holds <paramref name="blob"/>, as written. Null when that
    /// line has no options and when no line holds the key; <see cref="Contains"/> tells the two apart.
    /// </summary>
    public byte[]? OptionsOf(ReadOnlySpan<byte> blob) => FirstWith(blob)?.Key?.Options;

    /// <summary>
    /// The file with a line for the key added at the end: the options (none when empty), the key
    /// type the blob names, the blob in base64 and the comment (none when empty), ended by "\n".
    /// When a line holds the key already the file comes back unchanged, whatever its options. Fails
    /// with InvalidArgument when the blob does not name a key type, the comment holds a control
    /// character, or the options would not read back as one options field.
    /// </summary>
    public byte[] WithKey(ReadOnlySpan<byte> blob, string comment, ReadOnlySpan<byte> options = default)
    {
        ArgumentNullException.ThrowIfNull(comment);

        var line = NewLine(blob, comment, options);
        if (Contains(blob))
        {
            return (byte[])_content.Clone();
        }

        var ending = _content.Length > 0 && _content[^1] != (byte)'\n' ? 1 : 0;
        var file = new byte[_content.Length + ending + line.Length];
        _content.CopyTo(file, 0);
        if (ending == 1)
        {
            file[_content.Length] = (byte)'\n';
        }

        line.CopyTo(file, _content.Length + ending);
        return file;
    }

    /// <summary>
    /// The file without the lines that hold any of <paramref name="blobs"/>; every other line stays
    /// as it is. With no blobs, or none of them in the file, the file comes back unchanged.
    /// </summary>
    public byte[] Without(IEnumerable<byte[]> blobs)
    {
        ArgumentNullException.ThrowIfNull(blobs);

        var removed = blobs.ToList();
        using var file = new MemoryStream(_content.Length);
        foreach (var line in Lines.Where(line => !line.HoldsAny(removed)))
        {
            file.Write(line.Bytes.Span);
        }

        return file.ToArray();
    }

    /// <summary>
    /// The first half of a key rotation: the file with the new key added as <see cref="WithKey"/>
    /// adds it, carrying the options of the first line that holds one of the old keys, so that a
    /// restriction put on PassMan's line survives the rotation. The old lines stay: they go with
    /// <see cref="Without"/> once a login with the new key has worked. When the new key is in the
    /// file already, as after a rotation that stopped half way, the file comes back unchanged.
    /// </summary>
    public byte[] WithReplacement(IEnumerable<byte[]> oldBlobs, ReadOnlySpan<byte> blob, string comment)
    {
        ArgumentNullException.ThrowIfNull(oldBlobs);

        var old = oldBlobs.ToList();
        foreach (var oldBlob in old)
        {
            if (oldBlob.AsSpan().SequenceEqual(blob))
            {
                throw Invalid("The new key is one of the keys it is to replace, and would be removed with them.");
            }
        }

        var options = Lines.FirstOrDefault(line => line.HoldsAny(old))?.Key?.Options;
        return WithKey(blob, comment, options);
    }

    private AuthorizedKeyLine? FirstWith(ReadOnlySpan<byte> blob)
    {
        foreach (var line in Lines)
        {
            if (line.Key is not null && line.Key.Blob.AsSpan().SequenceEqual(blob))
            {
                return line;
            }
        }

        return null;
    }

    /// <summary>The line without its LF, and without the CR before that LF.</summary>
    private static ReadOnlySpan<byte> WithoutEnding(ReadOnlySpan<byte> line)
    {
        if (line.EndsWith("\n"u8))
        {
            line = line[..^1];
            if (line.EndsWith("\r"u8))
            {
                line = line[..^1];
            }
        }

        return line;
    }

    /// <summary>The key on a line without its ending, or null for a line sshd passes over or cannot read.</summary>
    private static AuthorizedKey? ReadKey(ReadOnlySpan<byte> line)
    {
        // sshd reads a line as a C string, so a NUL ends it; blanks before the first field do not count.
        var nul = line.IndexOf((byte)0);
        var text = (nul < 0 ? line : line[..nul]).TrimStart(Blanks);
        if (text.IsEmpty || text[0] == '#')
        {
            return null;
        }

        // sshd tries the line as a key first, and only then as options followed by a key; so does
        // PassMan, and a line that starts with a key has no options whatever follows.
        var key = ReadKeyFields(text, null);
        if (key is not null)
        {
            return key;
        }

        var end = OptionsEnd(text);
        return ReadKeyFields(text[end..].TrimStart(Blanks), text[..end].ToArray());
    }

    /// <summary>
    /// Where the options field ends: at the first blank outside double quotes, where \" is a quote
    /// that neither opens nor closes one. A quote left open runs to the end of the line, so no key
    /// follows: sshd refuses such a line.
    /// </summary>
    private static int OptionsEnd(ReadOnlySpan<byte> text)
    {
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] == '"')
            {
                i++;
            }
            else if (text[i] == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && (text[i] == ' ' || text[i] == '\t'))
            {
                return i;
            }
        }

        return text.Length;
    }

    /// <summary>The key type, blob and comment <paramref name="text"/> starts with; null if they make no key.</summary>
    private static AuthorizedKey? ReadKeyFields(ReadOnlySpan<byte> text, byte[]? options)
    {
        var typeEnd = text.IndexOfAny(Blanks);
        if (typeEnd < 0)
        {
            return null;
        }

        var rest = text[typeEnd..].TrimStart(Blanks);
        var blobEnd = rest.IndexOfAny(Blanks);
        blobEnd = blobEnd < 0 ? rest.Length : blobEnd;
        var blob = FromBase64(rest[..blobEnd]);
        if (blob is null || !new SshReader(blob).TryKeyType(out var keyType) || !NamesType(text[..typeEnd], keyType))
        {
            return null;
        }

        return new AuthorizedKey(options, keyType, blob, rest[blobEnd..].Trim(Blanks).ToArray());
    }

    /// <summary>Whether the type field of a line names <paramref name="keyType"/> for sshd.</summary>
    private static bool NamesType(ReadOnlySpan<byte> typeField, string keyType)
    {
        var named = Encoding.Latin1.GetString(typeField);
        return named == keyType || (s_aliases.TryGetValue(named, out var aliased) && aliased == keyType);
    }

    /// <summary>
    /// The blob field decoded as OpenSSH decodes it: canonical base64 only, after taking out the CR,
    /// VT and FF that its decoder passes over as white space (blanks end the field before).
    /// </summary>
    private static byte[]? FromBase64(ReadOnlySpan<byte> field)
    {
        var chars = new char[field.Length];
        var count = 0;
        foreach (var b in field)
        {
            if (b is not ((byte)'\r' or (byte)'\v' or (byte)'\f'))
            {
                chars[count++] = (char)b;
            }
        }

        return count == 0 ? null : KnownHosts.FromBase64(chars.AsSpan(0, count));
    }

    /// <summary>The line PassMan writes for a key, with its "\n"; fails unless it reads back as meant.</summary>
    private static byte[] NewLine(ReadOnlySpan<byte> blob, string comment, ReadOnlySpan<byte> options)
    {
        // A type name that starts with # would turn the line into a comment.
        if (!new SshReader(blob).TryKeyType(out var keyType) || keyType[0] == '#')
        {
            throw Invalid("The key cannot go into authorized_keys: its blob does not start with a key type name.");
        }

        if (comment.Any(char.IsControl))
        {
            throw Invalid("A comment on an authorized_keys line cannot hold control characters such as tab, CR or LF.");
        }

        if (options.IndexOfAny("\r\n\0"u8) >= 0)
        {
            throw Invalid("The options of an authorized_keys line cannot hold a line break or a NUL.");
        }

        using var line = new MemoryStream();
        if (!options.IsEmpty)
        {
            line.Write(options);
            line.WriteByte((byte)' ');
        }

        line.Write(Encoding.ASCII.GetBytes(keyType + " " + Convert.ToBase64String(blob)));
        if (comment.Length > 0)
        {
            line.Write(Encoding.UTF8.GetBytes(" " + comment));
        }

        var read = ReadKey(line.ToArray());
        if (read is null || !read.Blob.AsSpan().SequenceEqual(blob) || !options.SequenceEqual(read.Options))
        {
            throw Invalid("The options cannot stand before a key on an authorized_keys line: they must be one field, "
                + "with no blank outside double quotes, every quote closed, and no # at the start.");
        }

        line.WriteByte((byte)'\n');
        return line.ToArray();
    }

    private static ReadOnlySpan<byte> Blanks => " \t"u8;

    private static PassManException Invalid(string message) =>
        new(ErrorIds.InvalidArgument, PassManErrorKind.InvalidArgument, message);
}

/// <summary>One line of an authorized_keys file: its bytes as written and, on a key line, the key.</summary>
public sealed class AuthorizedKeyLine
{
    internal AuthorizedKeyLine(int number, ReadOnlyMemory<byte> bytes, AuthorizedKey? key)
    {
        Number = number;
        Bytes = bytes;
        Key = key;
    }

    /// <summary>The line of the file, counted from 1.</summary>
    public int Number { get; }

    /// <summary>The line exactly as the file holds it, with its line ending when it has one.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>The key on the line as sshd reads it; null on a foreign line, which PassMan never changes.</summary>
    public AuthorizedKey? Key { get; }

    internal bool HoldsAny(List<byte[]> blobs) =>
        Key is not null && blobs.Exists(blob => blob.AsSpan().SequenceEqual(Key.Blob));
}

/// <summary>The key on an authorized_keys line, with the options before it and the comment after it.</summary>
public sealed class AuthorizedKey
{
    internal AuthorizedKey(byte[]? options, string keyType, byte[] blob, byte[] comment)
    {
        Options = options;
        KeyType = keyType;
        Blob = blob;
        Comment = comment;
    }

    /// <summary>
    /// The options field as written, quotes and escapes included (command="...",no-pty); null when
    /// the line has none. PassMan does not judge them: sshd refuses the key when they are bad.
    /// </summary>
    public byte[]? Options { get; }

    /// <summary>The key type the blob names; a line may name an RSA key rsa-sha2-256 or rsa-sha2-512.</summary>
    public string KeyType { get; }

    /// <summary>The public key in the SSH wire encoding.</summary>
    public byte[] Blob { get; }

    /// <summary>What follows the key, without the blanks around it: any bytes, often user@host. May be empty.</summary>
    public byte[] Comment { get; }

    /// <summary>The fingerprint exactly as ssh-keygen -l prints it: SHA256: and unpadded base64.</summary>
    public string Fingerprint => SshKey.FingerprintOf(Blob);
}
