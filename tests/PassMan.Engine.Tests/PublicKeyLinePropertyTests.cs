using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using CsCheck;
using PassMan.Keys;
using PassMan.Model;
using PassMan.Ssh;

namespace PassMan.Tests;

/// <summary>
/// Properties of the readers of public key lines, authorized_keys and known_hosts, on input of
/// every kind: any bytes, CR, CRLF, NUL, text that is not UTF-8, lines of many kilobytes.
/// </summary>
/// <summary>One key of each type, RSA at 1024 bits so that the class starts quickly.</summary>
public sealed class LineKeys : IDisposable
{
    public Dictionary<string, SshKey> Keys { get; } =
        SshKeyTypes.All.ToDictionary(type => type, type => SshKey.Generate(type, 1024, string.Empty));

    public void Dispose()
    {
        foreach (var key in Keys.Values)
        {
            key.Dispose();
        }
    }
}

public sealed class PublicKeyLinePropertyTests : IClassFixture<LineKeys>
{
    private const string Comment = "PassMan web01/alice";

    /// <summary>
    /// A foreign line without its ending: any bytes but LF, short or very long, often with CR, NUL
    /// and bytes that are not UTF-8, or a key line of someone else.
    /// </summary>
    private static readonly Gen<byte[]> s_foreignLine = Gen.Frequency(
        (6, Gen.Byte.Array[0, 80]),
        (3, Gen.OneOf("\r\0\u0080\u00ff\t #\"=,".Select(c => (byte)c).ToArray()).Array[0, 20]),
        (1, Gen.Byte.Array[16_000, 70_000]),
        (2, Gen.Byte.Array[32].Select(key => Encoding.ASCII.GetBytes(
            "ssh-ed25519 " + Convert.ToBase64String(Ed25519Blob(key)) + " bob@elsewhere"))))
        .Select(bytes => bytes.Select(b => b == '\n' ? (byte)'\r' : b).ToArray());

    private readonly LineKeys _keys;

    public PublicKeyLinePropertyTests(LineKeys keys) => _keys = keys;

    [Fact]
    public void Removing_and_rotating_PassMans_keys_gives_back_every_foreign_line_byte_for_byte_whatever_it_holds()
    {
        var owned = Gen.Byte.Array[32].Array[1, 2].Select(keys => keys.Select(Ed25519Blob).ToArray());
        var files =
            from blobs in owned
            from lines in Gen.Frequency(
                (3, s_foreignLine.Select(bytes => (Bytes: bytes, Owner: -1))),
                (1, Gen.Int[0, blobs.Length - 1].Select(owner => (Bytes: OwnedLine(blobs[owner]), Owner: owner))))
                .Array[0, 10]
            from endings in Gen.OneOf("\n", "\r\n").Array[lines.Length]
            from open in Gen.Bool
            select (Blobs: blobs, Lines: lines, Endings: endings, LastOpen: open && lines.Length > 0);

        files.Sample(
            file =>
            {
                var bytes = new List<byte>();
                var foreign = new List<byte>();
                for (var i = 0; i < file.Lines.Length; i++)
                {
                    var open = i == file.Lines.Length - 1 && file.LastOpen;
                    var ending = open ? [] : Encoding.ASCII.GetBytes(file.Endings[i]);
                    byte[] line = [.. file.Lines[i].Bytes, .. ending];
                    bytes.AddRange(line);
                    if (file.Lines[i].Owner < 0)
                    {
                        foreign.AddRange(line);
                    }
                }

                var keys = AuthorizedKeys.Parse(bytes.ToArray());
                var newBlob = Ed25519Blob(new byte[32]);
                var added = keys.WithReplacement(file.Blobs, newBlob, Comment);
                var rotated = AuthorizedKeys.Parse(added).Without(file.Blobs);

                Assert.True(keys.Without(file.Blobs).AsSpan().SequenceEqual(foreign.ToArray()));
                var kept = AuthorizedKeys.Parse(rotated).Lines
                    .Where(line => line.Key?.Blob.SequenceEqual(newBlob) != true);
                var keptBytes = kept.SelectMany(line => line.Bytes.ToArray()).ToArray();
                var lastForeignOpen = file.LastOpen && file.Lines[^1].Owner < 0 && file.Lines[^1].Bytes.Length > 0;
                // The one change the editor makes: "\n" after a last line that had none, before the new key.
                byte[] expected = lastForeignOpen ? [.. foreign, (byte)'\n'] : [.. foreign];
                Assert.True(keptBytes.AsSpan().SequenceEqual(expected));
            },
            iter: 400,
            threads: 1);
    }

    [Fact]
    public void A_keys_public_line_reads_back_through_authorized_keys_and_known_hosts_as_the_same_key_and_comment()
    {
        // Comments without control characters, which authorized_keys lines cannot hold.
        var comment = Gen.String[Gen.Char[' ', '\uD7FF'], 0, 40].Where(text => !text.Any(char.IsControl));

        Gen.Select(Gen.OneOf(SshKeyTypes.All.ToArray()), comment).Sample(
            (type, text) =>
            {
                using var key = _keys.Keys[type].WithComment(text);

                var line = AuthorizedKeys.Parse(Encoding.UTF8.GetBytes(key.PublicKey + "\n")).Lines.Single().Key;
                var entry = KnownHosts.Parse("web01 " + key.PublicKey + "\n").Entries.Single();

                Assert.NotNull(line);
                Assert.True(line.Blob.SequenceEqual(key.PublicBlob));
                Assert.Equal((key.KeyType, key.Fingerprint), (line.KeyType, line.Fingerprint));
                Assert.Equal(text.Trim(' ', '\t'), Encoding.UTF8.GetString(line.Comment));
                Assert.Equal((key.KeyType, key.Fingerprint), (entry.KeyType, entry.Fingerprint));
            },
            iter: 400);
    }

    [Fact]
    public void A_public_key_line_cut_anywhere_inside_its_key_is_never_read_as_that_key()
    {
        foreach (var key in _keys.Keys.Values)
        {
            var line = key.PublicKey;
            var keyEnd = line.IndexOf(' ', key.KeyType.Length + 1);
            for (var length = 0; length < keyEnd; length++)
            {
                var cut = line[..length];

                var read = AuthorizedKeys.Parse(Encoding.ASCII.GetBytes(cut)).Lines.SingleOrDefault()?.Key;
                var known = KnownHosts.Parse("web01 " + cut).Entries;

                Assert.False(read is not null && read.Blob.SequenceEqual(key.PublicBlob), cut);
                Assert.Empty(known);
            }
        }
    }

    [Fact]
    public void A_known_hosts_file_yields_each_good_line_whatever_lines_lie_between_them()
    {
        // Foreign lines are any text but LF, at times many kilobytes long, with NUL and CR.
        var foreign = Gen.Frequency(
                (6, Gen.String[Gen.Char, 0, 80]),
                (3, Gen.String[Gen.Char["\0\r\t #|@,*?[]:"], 0, 20]),
                (1, Gen.String[Gen.Char, 16_000, 70_000]))
            .Select(text => text.Replace('\n', '\r'));
        var good = Gen.Byte.Array[32].Select(Ed25519Blob).Select(blob =>
            (Line: "web01 ssh-ed25519 " + Convert.ToBase64String(blob), Fingerprint: SshKey.FingerprintOf(blob)));
        var lines = Gen.Frequency(
            (3, foreign.Select(text => (Line: text, Fingerprint: string.Empty))),
            (1, good));

        Gen.Select(lines.Array[0, 12], Gen.OneOf("\n", "\r\n")).Sample(
            (file, ending) =>
            {
                var known = KnownHosts.Parse(string.Concat(file.Select(line => line.Line + ending)));

                var expected = file.Select((line, i) => (Number: i + 1, line.Fingerprint))
                    .Where(line => line.Fingerprint.Length > 0);
                Assert.Equal(expected, known.Entries.Select(entry => (entry.LineNumber, entry.Fingerprint)));
            },
            iter: 400,
            threads: 1);
    }

    [Fact]
    public void A_host_key_blob_of_any_bytes_is_read_or_refused_with_a_PassMan_error()
    {
        Gen.Byte.Array[0, 200].Sample(
            blob =>
            {
                try
                {
                    var key = new HostKey(blob);
                    Assert.Equal(SshKey.FingerprintOf(blob), key.Fingerprint);
                }
                catch (PassManException e)
                {
                    Assert.Equal(ErrorIds.MalformedPrivateKey, e.ErrorId);
                }
            },
            iter: 5000);
    }

    private static byte[] OwnedLine(byte[] blob) =>
        Encoding.ASCII.GetBytes("ssh-ed25519 " + Convert.ToBase64String(blob) + " " + Comment);

    private static byte[] Ed25519Blob(byte[] key)
    {
        using var writer = new SshWriter();
        return writer.String("ssh-ed25519").String(key).ToArray();
    }
}
