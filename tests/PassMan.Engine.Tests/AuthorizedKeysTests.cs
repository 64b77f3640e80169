using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using CsCheck;
using PassMan.Keys;
using PassMan.Ssh;

namespace PassMan.Tests;

public sealed partial class AuthorizedKeysTests : IClassFixture<HostKeyFiles>, IDisposable
{
    private const string PassManComment = "passman web01/deploy";

    // command="echo \"a b\"",no-pty,from="10.0.0.0/8": quoted blanks and commas, and escaped quotes.
    private const string Restrictions = "command=\"echo \\\"a b\\\"\",no-pty,from=\"10.0.0.0/8\"";

    private static readonly Gen<string> s_blanks = Gen.String[Gen.Char[" \t"], 1, 3];

    private static readonly Gen<string> s_options = Gen.OneOf(
        "no-pty",
        "restrict",
        Restrictions,
        "from=\"10.0.0.0/8,192.168.*\"",
        "environment=\"PATH=/usr/bin:/bin, and more\"",
        "permitopen=\"db01:5432\"",
        "no-agent-forwarding").Array[1, 4].Select(options => string.Join(',', options));

    private static readonly Gen<byte[]> s_noise =
        Gen.Byte.Array[0, 40].Select(bytes => bytes.Select(b => b == '\n' ? (byte)'x' : b).ToArray());

    private readonly HostKeyFiles _keys;
    private readonly TempFolder _temp = new();

    public AuthorizedKeysTests(HostKeyFiles keys) => _keys = keys;

    public void Dispose() => _temp.Dispose();

    /// <summary>PassMan's key in the examples: a real Ed25519 key, "type base64".</summary>
    private string Owned => _keys.Ed25519;

    private byte[] OwnedBlob => BlobOf(_keys.Ed25519);

    /// <summary>Someone else's key of the same type.</summary>
    private static string Other => "ssh-ed25519 " + Convert.ToBase64String(Ed25519Blob(Enumerable.Repeat((byte)7, 32)));

    [Fact]
    public void Options_with_quoted_blanks_commas_and_escaped_quotes_are_read_whole_and_kept()
    {
        var foreign = $"{Restrictions} {Other} a foreign key\n";
        var file = Bytes(foreign + $"environment=\"X=a, b\"\t{Owned} {PassManComment}\n");

        var keys = AuthorizedKeys.Parse(file);

        Assert.Equal(Restrictions, Text(keys.Lines[0].Key!.Options));
        Assert.Equal("a foreign key", Text(keys.Lines[0].Key!.Comment));
        Assert.Equal("environment=\"X=a, b\"", Text(keys.OptionsOf(OwnedBlob)));
        Assert.Equal(PassManComment, Text(keys.Lines[1].Key!.Comment));
        Assert.Equal(foreign, Text(keys.Without([OwnedBlob])));
    }

    [Fact]
    public void Comments_blank_lines_and_text_that_is_not_UTF8_are_kept_as_they_are()
    {
        var foreign = $"# keys for deploy\n\n  \t\n#{Owned} commented out\n\u00ff\u00fe caf\u00e9\n";
        var file = Bytes(foreign + $"{Owned}\n{Other}\n");

        var without = AuthorizedKeys.Parse(file).Without([OwnedBlob]);

        Assert.Equal(foreign + $"{Other}\n", Text(without));
        Assert.Equal(6, AuthorizedKeys.Parse(without).Lines.Count);
    }

    [Fact]
    public void A_CRLF_file_keeps_CRLF_on_the_lines_left_alone_and_PassMan_reads_its_key_on_a_CRLF_line()
    {
        var file = Bytes($"# hand made\r\n{Other} bob\r\n{Owned}\r\nno-pty {Owned} {PassManComment}\r\n");
        var keys = AuthorizedKeys.Parse(file);
        var newBlob = BlobOf(_keys.Ecdsa);

        var rotated = AuthorizedKeys.Parse(keys.WithKey(newBlob, PassManComment)).Without([OwnedBlob]);

        Assert.Equal(["", PassManComment], keys.Lines.Skip(2).Select(line => Text(line.Key!.Comment)));
        Assert.Equal($"# hand made\r\n{Other} bob\r\n{_keys.Ecdsa} {PassManComment}\n", Text(rotated));
    }

    [Fact]
    public void A_last_line_without_an_ending_gets_one_only_when_a_key_is_added_after_it()
    {
        var file = Bytes($"{Owned}\n{Other} no line ending");
        var keys = AuthorizedKeys.Parse(file);

        var added = keys.WithKey(BlobOf(_keys.Rsa), "new");
        var removed = keys.Without([OwnedBlob]);

        Assert.Equal($"{Owned}\n{Other} no line ending\n{_keys.Rsa} new\n", Text(added));
        Assert.Equal($"{Other} no line ending", Text(removed));
        Assert.Equal($"{Other}\n", Text(AuthorizedKeys.Parse(Bytes($"{Other}\n{Owned}")).Without([OwnedBlob])));
    }

    [Fact]
    public void Every_line_that_holds_PassMans_key_is_removed_and_another_key_of_its_type_stays()
    {
        var file = Bytes($"{Owned} first\n{Other} {PassManComment}\nrestrict {Owned} second\n");
        var keys = AuthorizedKeys.Parse(file);

        var without = keys.Without([OwnedBlob]);

        Assert.Equal($"{Other} {PassManComment}\n", Text(without));
        Assert.Equal([1, 3], keys.Lines.Where(line => line.Key?.Blob.SequenceEqual(OwnedBlob) == true)
            .Select(line => line.Number));
        Assert.Null(keys.OptionsOf(OwnedBlob));
        Assert.Equal("ssh-ed25519", keys.Lines[1].Key!.KeyType);
    }

    [Fact]
    public void A_line_is_known_by_its_key_never_by_its_comment()
    {
        var file = Bytes($"{Other} {PassManComment}\n{Owned} alice@laptop\n");
        var keys = AuthorizedKeys.Parse(file);

        Assert.Equal($"{Other} {PassManComment}\n", Text(keys.Without([OwnedBlob])));
        Assert.Equal(Text(file), Text(keys.Without([Ed25519Blob(new byte[32])])));
    }

    [Fact]
    public void Lines_that_are_no_key_for_OpenSSH_are_foreign_and_kept_even_when_they_hold_PassMans_key()
    {
        var ed25519 = OwnedBlob;
        var ecdsa = BlobOf(_keys.Ecdsa);
        var b64 = Convert.ToBase64String(ed25519);
        var lines = new[]
        {
            $"ssh-rsa {b64}",
            $"ssh-ed25519 {Convert.ToBase64String(ecdsa)}",
            $"#ssh-ed25519 {b64}",
            $"  # {Owned}",
            b64,
            $"ssh-ed25519{b64}",
            $"ssh-ed25519\t",
            $"x=\"never closed {Owned}",
            $"no-pty {Owned[..^1]}",
            $"ssh-ed25519 {b64}=",
            $"ssh-ed25519 !{b64}",
            $"ecdsa-sha2-nistp256 {StrayBits(_keys.Ecdsa.Split(' ')[1])}",
            $"ssh-ed25519 {Convert.ToBase64String(new byte[] { 0, 0, 0, 99 })}",
            "ssh-ed25519 AAAA\u00ff\u00ff",
        };
        var file = Bytes(string.Join("\n", lines) + "\n");

        var keys = AuthorizedKeys.Parse(file);

        Assert.All(keys.Lines, line => Assert.Null(line.Key));
        Assert.Equal(Text(file), Text(keys.Without([ed25519, ecdsa])));
        Assert.All(lines, line => Assert.False(SshKeygenLists(line), $"ssh-keygen reads a key on: {line}"));
    }

    [Fact]
    public void Keys_of_types_PassMan_does_not_know_are_read_and_left_alone()
    {
        using var writer = new SshWriter();
        var unknown = writer.String("x-unknown@example.test").String(new byte[] { 1, 2, 3 }).ToArray();
        var line = $"from=\"*\" x-unknown@example.test {Convert.ToBase64String(unknown)} someone";
        var file = Bytes($"{line}\n{Owned}\n");

        var keys = AuthorizedKeys.Parse(file);

        Assert.Equal("x-unknown@example.test", keys.Lines[0].Key!.KeyType);
        Assert.Equal(line + "\n", Text(keys.Without([OwnedBlob])));
    }

    [Fact]
    public void Lines_OpenSSH_reads_beyond_what_sshd_8_describes_are_read_as_it_reads_them()
    {
        var b64 = Convert.ToBase64String(OwnedBlob);
        var rsa = _keys.Rsa.Split(' ')[1];
        var cases = new (string Line, string Key, string? Options)[]
        {
            ($"ssh-ed25519 {b64}\0after a NUL", Owned, null),
            ($"ssh-ed25519 {b64[..20]}\r{b64[20..]} a CR inside the base64", Owned, null),
            ($"ssh-ed25519 {b64[..9]}\v{b64[9..30]}\f{b64[30..]}", Owned, null),
            ($" \t ssh-ed25519 \t {b64}\t blanks everywhere ", Owned, null),
            ($"a=\\\"x {Owned}", Owned, "a=\\\"x"),
            ($"a=\"x\ty\",b=\"\\\"\" {Owned}", Owned, "a=\"x\ty\",b=\"\\\"\""),
            ($"ssh-ed25519 {Owned}", Owned, "ssh-ed25519"),
            ($"rsa-sha2-512 {rsa} an RSA key named by an algorithm", _keys.Rsa, null),
            ($"no-pty rsa-sha2-256 {rsa}", _keys.Rsa, "no-pty"),
        };

        foreach (var (line, key, options) in cases)
        {
            var keys = AuthorizedKeys.Parse(Bytes(line + "\n"));

            Assert.True(keys.Contains(BlobOf(key)), $"not read: {line}");
            Assert.Equal(options, keys.OptionsOf(BlobOf(key)) is { } read ? Text(read) : null);
            Assert.Empty(keys.Without([BlobOf(key)]));
            Assert.True(SshKeygenLists(line), $"ssh-keygen reads no key on: {line}");
        }
    }

    [Fact]
    public void Another_encoding_of_PassMans_key_is_left_alone_though_OpenSSH_reads_the_same_key()
    {
        // The documented limit: OpenSSH compares keys, PassMan compares the blob it wrote.
        var fields = new SshReader(OwnedBlob);
        fields.String();
        using var writer = new SshWriter();
        var shortName = writer.String("ED25519").String(fields.String()).ToArray();
        var line = $"ssh-ed25519 {Convert.ToBase64String(shortName)}";

        var without = AuthorizedKeys.Parse(Bytes(line + "\n")).Without([OwnedBlob]);

        Assert.Equal(line + "\n", Text(without));
        Assert.Equal(_keys.Keys[0].Fingerprint, SshKeygen.Run("-l", "-f", WriteFile(Bytes(line))).Split(' ')[1]);
    }

    [Fact]
    public void An_empty_file_has_no_lines_and_takes_a_key_as_its_only_line()
    {
        var keys = AuthorizedKeys.Parse([]);

        Assert.Empty(keys.Lines);
        Assert.False(keys.Contains(OwnedBlob));
        Assert.Null(keys.OptionsOf(OwnedBlob));
        Assert.Empty(keys.Without([OwnedBlob]));
        Assert.Equal($"restrict {Owned}\n", Text(keys.WithKey(OwnedBlob, string.Empty, Bytes("restrict"))));
    }

    [Fact]
    public void Adding_a_key_that_is_there_already_changes_nothing_whatever_its_options()
    {
        var file = Bytes($"no-pty {Owned} old\n{Other}");

        var added = AuthorizedKeys.Parse(file).WithKey(OwnedBlob, "new", Bytes("restrict"));

        Assert.Equal(Text(file), Text(added));
    }

    [Fact]
    public void A_replacement_carries_the_options_of_the_first_old_line_and_leaves_the_old_lines_for_later()
    {
        var options = """command="/usr/bin/rsync --server \"a b\"",from="10.0.0.0/8",no-pty""";
        var old = BlobOf(_keys.Ecdsa);
        var file = Bytes($"{Other}\n{options} {_keys.Ecdsa} {PassManComment}\nrestrict {_keys.Rsa}\n");

        var phase1 = AuthorizedKeys.Parse(file).WithReplacement([BlobOf(_keys.Rsa), old], OwnedBlob, PassManComment);
        var phase2 = AuthorizedKeys.Parse(phase1).Without([BlobOf(_keys.Rsa), old]);

        Assert.Equal(Text(file) + $"{options} {Owned} {PassManComment}\n", Text(phase1));
        Assert.Equal($"{Other}\n{options} {Owned} {PassManComment}\n", Text(phase2));
        Assert.Equal(Text(phase1), Text(AuthorizedKeys.Parse(phase1).WithReplacement([old], OwnedBlob, "again")));
        Assert.Equal(
            $"{Owned} first\n",
            Text(AuthorizedKeys.Parse([]).WithReplacement([old], OwnedBlob, "first")));
    }

    [Fact]
    public void A_replacement_refuses_a_new_key_that_is_among_the_old_ones()
    {
        var keys = AuthorizedKeys.Parse(Bytes($"{Owned}\n"));

        VaultFixtures.Fails(ErrorIds.InvalidArgument, () => keys.WithReplacement([OwnedBlob], OwnedBlob, "x"));
    }

    [Theory]
    [InlineData("no-pty restrict")]
    [InlineData("command=\"never closed")]
    [InlineData("#restrict")]
    [InlineData(" no-pty")]
    [InlineData("no-pty\t")]
    [InlineData("no-pty\nrestrict")]
    [InlineData("command=\"a\r\"")]
    [InlineData("no-pty\0")]
    public void WithKey_refuses_options_that_would_not_read_back_as_one_options_field(string options)
    {
        var keys = AuthorizedKeys.Parse(Bytes($"{Other}\n"));

        VaultFixtures.Fails(ErrorIds.InvalidArgument, () => keys.WithKey(OwnedBlob, PassManComment, Bytes(options)));
    }

    [Theory]
    [InlineData("two\nlines")]
    [InlineData("carriage\rreturn")]
    [InlineData("a\ttab")]
    [InlineData("nul\0")]
    public void WithKey_refuses_a_comment_with_control_characters(string comment)
    {
        var keys = AuthorizedKeys.Parse([]);

        VaultFixtures.Fails(ErrorIds.InvalidArgument, () => keys.WithKey(OwnedBlob, comment));
    }

    [Fact]
    public void WithKey_refuses_a_blob_that_names_no_key_type()
    {
        var keys = AuthorizedKeys.Parse([]);

        VaultFixtures.Fails(ErrorIds.InvalidArgument, () => keys.WithKey([0, 0, 0, 99, 1], "x"));
        VaultFixtures.Fails(ErrorIds.InvalidArgument, () => keys.WithKey([], "x"));
        VaultFixtures.Fails(ErrorIds.InvalidArgument, () => keys.WithKey(KeyBlob("#x", new byte[32]), "x"));
    }

    [Fact]
    public void Ssh_keygen_lists_every_key_of_a_file_the_editor_added_keys_to()
    {
        var file = Bytes($"# by hand\r\n\r\nfrom=\"10.0.0.0/8\" {_keys.Ed25519} alice@laptop\r\nnot a key at all");
        var options = Restrictions + ",environment=\"NAME=passman web01\"";

        file = AuthorizedKeys.Parse(file).WithKey(BlobOf(_keys.Ecdsa), "passman web01 caf\u00e9", Bytes(options));
        file = AuthorizedKeys.Parse(file).WithKey(BlobOf(_keys.Rsa), string.Empty);
        var listed = SshKeygenFingerprints(WriteFile(file));

        Assert.Equal(_keys.Keys.Select(key => key.Fingerprint), listed);
        Assert.Equal(listed, AuthorizedKeys.Parse(file).Lines.Where(line => line.Key is not null)
            .Select(line => line.Key!.Fingerprint));
        Assert.Equal(options, Text(AuthorizedKeys.Parse(file).OptionsOf(BlobOf(_keys.Ecdsa))));
    }

    [Fact]
    public void Ssh_keygen_lists_the_foreign_keys_and_the_new_one_after_both_phases_of_a_rotation()
    {
        var file = Bytes($"{_keys.Ed25519} alice\nrestrict,pty {_keys.Ecdsa} {PassManComment}\n");
        var old = BlobOf(_keys.Ecdsa);

        var phase1 = AuthorizedKeys.Parse(file).WithReplacement([old], BlobOf(_keys.Rsa), PassManComment);
        var phase2 = AuthorizedKeys.Parse(phase1).Without([old]);

        Assert.Equal(_keys.Keys.Select(key => key.Fingerprint), SshKeygenFingerprints(WriteFile(phase1)));
        Assert.Equal([_keys.Keys[0].Fingerprint, _keys.Keys[2].Fingerprint], SshKeygenFingerprints(WriteFile(phase2)));
        Assert.Equal($"{_keys.Ed25519} alice\nrestrict,pty {_keys.Rsa} {PassManComment}\n", Text(phase2));
    }

    [Fact]
    public void Removing_PassMans_keys_leaves_exactly_the_foreign_lines_in_order()
    {
        Files.Sample(
            file =>
            {
                var keys = AuthorizedKeys.Parse(file.Bytes);

                var without = keys.Without(file.Owned);

                Assert.Equal(Text(file.ForeignBytes(endLastLine: false)), Text(without));
                Assert.Equal(file.Lines.Length, keys.Lines.Count);
                for (var i = 0; i < file.Lines.Length; i++)
                {
                    var read = keys.Lines[i].Key;
                    var owner = file.Lines[i].Owner;
                    Assert.Equal(owner >= 0, read is not null && file.Owned.Any(blob => blob.SequenceEqual(read.Blob)));
                    Assert.True(owner < 0 || read!.Blob.SequenceEqual(file.Owned[owner]));
                }

                foreach (var blob in file.Owned)
                {
                    var first = Array.Find(file.Lines, line => line.Owner >= 0 && file.Owned[line.Owner] == blob);
                    Assert.Equal(first is not null, keys.Contains(blob));
                    Assert.Equal(Text(first?.Options), Text(keys.OptionsOf(blob)));
                }
            },
            iter: 3000,
            print: file => file.ToString());
    }

    [Fact]
    public void A_rotation_leaves_the_foreign_lines_in_order_and_one_line_of_the_new_key_with_the_old_options()
    {
        Gen.Select(Files, Gen.Byte.Array[32], Gen.Bool).Sample(
            (file, key, replacement) =>
            {
                var newBlob = Ed25519Blob(key);
                var keys = AuthorizedKeys.Parse(file.Bytes);

                var phase1 = replacement
                    ? keys.WithReplacement(file.Owned, newBlob, PassManComment)
                    : keys.WithKey(newBlob, PassManComment);
                var phase2 = AuthorizedKeys.Parse(phase1).Without(file.Owned);

                var after = AuthorizedKeys.Parse(phase2);
                var added = after.Lines[^1];
                Assert.Single(after.Lines, line => line.Key?.Blob.SequenceEqual(newBlob) == true);
                Assert.True(added.Key?.Blob.SequenceEqual(newBlob));
                Assert.Equal(Text(file.ForeignBytes(endLastLine: true)), Text(phase2.AsSpan(..^added.Bytes.Length)));
                var oldOptions = replacement ? file.Lines.FirstOrDefault(line => line.Owner >= 0)?.Options : null;
                Assert.Equal(Text(oldOptions), Text(added.Key!.Options));
                Assert.StartsWith(Text(file.Bytes), Text(phase1), StringComparison.Ordinal);
            },
            iter: 3000,
            print: sample => $"{(sample.Item3 ? "WithReplacement" : "WithKey")} on\n{sample.Item1}");
    }

    [Fact]
    public void Reading_never_throws_and_removing_no_key_gives_back_any_input_unchanged()
    {
        var special = Gen.OneOf(" \t\r\n\"\\#=,+/-\0\u00ffAZaz09".Select(c => (byte)c).ToArray());
        var good = Bytes($"no-pty,command=\"a \\\"b\\\" c\" {Owned} {PassManComment}\r\n{_keys.Rsa}\n#x\n");
        var edit = Gen.Select(Gen.Int[0, 2], Gen.Int[0, good.Length], Gen.Byte);
        var mutated = edit.Array[1, 8].Select(edits => edits.Aggregate(good.ToList(), Edit).ToArray());
        var input = Gen.OneOf(Gen.Byte.Array[0, 300], special.Array[0, 300], mutated);

        input.Sample(
            bytes =>
            {
                var keys = AuthorizedKeys.Parse(bytes);

                Assert.Equal(Text(bytes), string.Concat(keys.Lines.Select(line => Text(line.Bytes.Span))));
                Assert.Equal(Enumerable.Range(1, keys.Lines.Count), keys.Lines.Select(line => line.Number));
                Assert.Equal(Text(bytes), Text(keys.Without([])));
                var blobs = keys.Lines.Where(line => line.Key is not null).Select(line => line.Key!.Blob).ToList();
                Assert.All(blobs, blob => Assert.Equal(Text(bytes), Text(keys.WithKey(blob, "x"))));
                Assert.All(AuthorizedKeys.Parse(keys.Without(blobs)).Lines, line => Assert.Null(line.Key));
            },
            iter: 20000);
    }

    /// <summary>Files of foreign lines of every kind, with PassMan's lines of 1 to 3 keys among them.</summary>
    private static Gen<GeneratedFile> Files =>
        from owned in Gen.Byte.Array[32].Array[1, 3].Select(keys => keys.Select(Ed25519Blob).ToArray())
        from lines in Gen.Frequency((3, ForeignLine(owned)), (2, OwnedLine(owned))).Array[0, 14]
        from endings in Gen.OneOf("\n", "\r\n").Array[lines.Length]
        from lastOpen in Gen.Bool
        // An empty last line without an ending would be no line at all.
        select new GeneratedFile(owned, lines, endings, lastOpen && lines.Length > 0 && lines[^1].Text.Length > 0);

    private static Gen<GeneratedLine> OwnedLine(byte[][] owned) => Gen.Select(
        Gen.Int[0, owned.Length - 1],
        Gen.Frequency((1, Gen.Const((string?)null)), (2, s_options.Select(options => (string?)options))),
        Gen.String[Gen.Char[" \t"], 0, 2],
        s_blanks,
        Gen.Frequency((1, Gen.Const(Array.Empty<byte>())), (1, Gen.Const(Bytes(PassManComment))), (1, s_noise)),
        (owner, options, lead, blanks, comment) =>
        {
            var key = lead + (options is null ? string.Empty : options + blanks) + "ssh-ed25519" + blanks
                + Convert.ToBase64String(owned[owner]);
            var text = comment.Length == 0 ? Bytes(key) : [.. Bytes(key + blanks), .. comment];
            return new GeneratedLine(text, owner, options is null ? null : Bytes(options));
        });

    private static Gen<GeneratedLine> ForeignLine(byte[][] owned)
    {
        var keyType = Gen.OneOf("ssh-ed25519", "sk-ssh-ed25519@openssh.com", "x-unknown@example.test");
        var foreignKey = Gen.Select(
            keyType,
            Gen.Byte.Array[32],
            s_blanks,
            Gen.Frequency((1, Gen.Const(string.Empty)), (2, s_options)),
            Gen.Frequency((1, Gen.Const(PassManComment)), (2, s_noise.Select(Text))),
            (type, key, blanks, options, comment) => Bytes(
                (options.Length == 0 ? string.Empty : options + blanks) + type + blanks
                + Convert.ToBase64String(KeyBlob(type, key)) + blanks + comment));
        var b64 = Gen.Int[0, owned.Length - 1].Select(owner => Convert.ToBase64String(owned[owner]));
        var spoiled = b64.SelectMany(key => Gen.OneOf(
            $"ssh-rsa {key}",
            $"#ssh-ed25519 {key}",
            $"  # ssh-ed25519 {key} {PassManComment}",
            key,
            $"x=\"open ssh-ed25519 {key}",
            $"ssh-ed25519 {key[..^1]}",
            $"ssh-ed25519 {key}=")).Select(Bytes);
        return Gen.OneOf(
            s_noise,
            s_noise.Select(noise => Bytes("#").Concat(noise).ToArray()),
            Gen.String[Gen.Char[" \t"], 0, 4].Select(Bytes),
            foreignKey,
            spoiled).Select(text => new GeneratedLine(text, -1, null));
    }

    private static byte[] KeyBlob(string type, byte[] key)
    {
        using var writer = new SshWriter();
        writer.String(type).String(key);
        if (type.StartsWith("sk-", StringComparison.Ordinal))
        {
            writer.String("ssh:");
        }

        return writer.ToArray();
    }

    private static byte[] Ed25519Blob(IEnumerable<byte> key) => KeyBlob("ssh-ed25519", key.ToArray());

    private static List<byte> Edit(List<byte> bytes, (int Kind, int At, byte Byte) edit)
    {
        var at = Math.Min(edit.At, bytes.Count);
        if (edit.Kind == 0 || at == bytes.Count)
        {
            bytes.Insert(at, edit.Byte);
        }
        else if (edit.Kind == 1)
        {
            bytes.RemoveAt(at);
        }
        else
        {
            bytes[at] = edit.Byte;
        }

        return bytes;
    }

    /// <summary>Base64 with the unused low bits of its last character set: .NET reads it, OpenSSH does not.</summary>
    private static string StrayBits(string base64)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        var end = base64.TrimEnd('=');
        Assert.NotEqual(end.Length, base64.Length);
        return end[..^1] + Alphabet[Alphabet.IndexOf(end[^1], StringComparison.Ordinal) | 1] + base64[end.Length..];
    }

    private static byte[] BlobOf(string keyLine) => Convert.FromBase64String(keyLine.Split(' ')[1]);

    /// <summary>Each character as the one byte of its code: text that is not UTF-8 is written as easily.</summary>
    private static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text);

    private static string Text(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);

    private static string? Text(byte[]? bytes) => bytes is null ? null : Encoding.Latin1.GetString(bytes);

    private string WriteFile(byte[] content)
    {
        var path = _temp.File(Guid.NewGuid().ToString("N"));
        File.WriteAllBytes(path, content);
        return path;
    }

    private bool SshKeygenLists(string line) =>
        SshKeygen.TryRun("-l", "-f", WriteFile(Bytes(line + "\n"))).ExitCode == 0;

    /// <summary>
    /// The fingerprints ssh-keygen -l lists, read from the start of its lines only: for a line with
    /// no comment that follows one with options, OpenSSH 9.2 prints a stale comment, which may be
    /// any bytes of memory, line breaks included.
    /// </summary>
    private static List<string> SshKeygenFingerprints(string file) =>
        ListedKey().Matches(SshKeygen.Run("-l", "-f", file)).Select(match => match.Groups[1].Value).ToList();

    [GeneratedRegex(@"^[0-9]+ (SHA256:[A-Za-z0-9+/]{43}) ", RegexOptions.Multiline)]
    private static partial Regex ListedKey();

    /// <summary>A generated line without its ending; Owner is the index of PassMan's key on it, or -1.</summary>
    private sealed record GeneratedLine(byte[] Text, int Owner, byte[]? Options);

    private sealed record GeneratedFile(byte[][] Owned, GeneratedLine[] Lines, string[] Endings, bool LastOpen)
    {
        public byte[] Bytes => Join(Enumerable.Range(0, Lines.Length));

        /// <summary>
        /// The foreign lines with their endings; with <paramref name="endLastLine"/>, a last line
        /// without an ending gets the "\n" that adding a key after it writes.
        /// </summary>
        public byte[] ForeignBytes(bool endLastLine)
        {
            var foreign = Join(Enumerable.Range(0, Lines.Length).Where(i => Lines[i].Owner < 0));
            var lastIsForeign = Lines.Length > 0 && Lines[^1].Owner < 0;
            return endLastLine && LastOpen && lastIsForeign ? [.. foreign, (byte)'\n'] : foreign;
        }

        /// <summary>The file a line a line, with line endings and bytes outside printable ASCII written out.</summary>
        public override string ToString() => string.Concat(Encoding.Latin1.GetString(Bytes).Select(c => c switch
        {
            '\n' => "\\n\n",
            '\r' => "\\r",
            < ' ' or > '~' => $"\\x{(int)c:x2}",
            _ => c.ToString(),
        }));

        private byte[] Join(IEnumerable<int> indexes) => indexes
            .SelectMany(i => Lines[i].Text.Concat(Encoding.ASCII.GetBytes(Ending(i))))
            .ToArray();

        private string Ending(int i) => i == Lines.Length - 1 && LastOpen ? string.Empty : Endings[i];
    }
}
