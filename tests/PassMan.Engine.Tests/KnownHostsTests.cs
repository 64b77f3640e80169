using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using CsCheck;
using PassMan.Keys;
using PassMan.Ssh;

namespace PassMan.Tests;

/// <summary>Host keys made by ssh-keygen, once for the class: "type base64" and the fingerprint it prints.</summary>
public sealed class HostKeyFiles : IDisposable
{
    private readonly TempFolder _temp = new();

    public HostKeyFiles()
    {
        foreach (var (type, bits) in new[] { ("ed25519", "256"), ("ecdsa", "256"), ("rsa", "2048") })
        {
            var file = _temp.File("ssh_host_" + type + "_key");
            SshKeygen.Run("-q", "-t", type, "-b", bits, "-N", string.Empty, "-C", "host key", "-f", file);
            var fields = File.ReadAllText(file + ".pub").Split(' ');
            Keys.Add((fields[0] + " " + fields[1], SshKeygen.Run("-l", "-f", file + ".pub").Split(' ')[1]));
        }
    }

    /// <summary>An Ed25519, an ECDSA and an RSA key.</summary>
    public List<(string Line, string Fingerprint)> Keys { get; } = [];

    public string Ed25519 => Keys[0].Line;

    public string Ecdsa => Keys[1].Line;

    public string Rsa => Keys[2].Line;

    public void Dispose() => _temp.Dispose();
}

public sealed partial class KnownHostsTests : IClassFixture<HostKeyFiles>, IDisposable
{
    private const string HostChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-";

    private readonly HostKeyFiles _keys;
    private readonly TempFolder _temp = new();

    public KnownHostsTests(HostKeyFiles keys) => _keys = keys;

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Find_picks_the_lines_ssh_keygen_F_picks_in_a_plain_or_hashed_file(bool hashed)
    {
        var file = WriteFile(
            $"web01.example.test,10.0.0.5 {_keys.Ed25519}",
            $"WEB01.Example.Test {_keys.Ecdsa} upper case when written",
            $"[web01.example.test]:2222 {_keys.Rsa}",
            $"[10.0.0.5]:2222,db01.example.test {_keys.Ecdsa}",
            $"[db01.example.test]:22 {_keys.Rsa}");
        if (hashed)
        {
            SshKeygen.Run("-H", "-f", file);
        }

        var knownHosts = KnownHosts.Parse(File.ReadAllText(file));

        Assert.Empty(knownHosts.Problems);
        Assert.All(knownHosts.Entries, entry => Assert.Equal(hashed, entry.IsHashed));
        foreach (var (host, port) in new[]
        {
            ("web01.example.test", 22), ("Web01.EXAMPLE.test", 22), ("10.0.0.5", 22), ("web01.example.test", 2222),
            ("10.0.0.5", 2222), ("db01.example.test", 22), ("db01.example.test", 2222), ("web02.example.test", 22),
        })
        {
            var found = knownHosts.Find(host, port).Keys.Select(entry => entry.LineNumber);

            Assert.Equal(SshKeygenFinds(file, host, port), found);
        }
    }

    [Fact]
    public void A_hashed_file_finds_the_fingerprints_of_the_plain_file_it_was_made_from()
    {
        var file = WriteFile(
            $"web01.example.test,10.0.0.5 {_keys.Ed25519}",
            $"web01.example.test {_keys.Rsa}",
            $"[web01.example.test]:2222 {_keys.Ecdsa}");
        var plain = KnownHosts.Parse(File.ReadAllText(file));
        SshKeygen.Run("-H", "-f", file);

        var hashed = KnownHosts.Parse(File.ReadAllText(file));

        Assert.Equal(4, hashed.Entries.Count(entry => entry.IsHashed));
        var lookups = new[] { ("web01.example.test", 22), ("10.0.0.5", 22), ("web01.example.test", 2222) };
        foreach (var (host, port) in lookups)
        {
            Assert.Equal(Fingerprints(plain.Find(host, port).Keys), Fingerprints(hashed.Find(host, port).Keys));
        }

        Assert.Equal(
            [_keys.Keys[0].Fingerprint, _keys.Keys[2].Fingerprint],
            Fingerprints(hashed.Find("web01.example.test", 22).Keys));
    }

    [Fact]
    public void Entries_hold_the_key_type_blob_and_fingerprint_ssh_keygen_l_lists()
    {
        var file = WriteFile(
            "# a comment, and a blank line after it",
            string.Empty,
            $"web01 {_keys.Ed25519}",
            $"  web02\t{_keys.Ecdsa.Replace(' ', '\t')}   the comment  ",
            $"[web03]:2222 {_keys.Rsa}");

        var entries = KnownHosts.Parse(File.ReadAllText(file)).Entries;

        Assert.Equal(SshKeygenFingerprints(file), Fingerprints(entries));
        Assert.Equal([3, 4, 5], entries.Select(entry => entry.LineNumber));
        Assert.Equal(["ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa"], entries.Select(entry => entry.KeyType));
        Assert.Equal(_keys.Ed25519.Split(' ')[1], Convert.ToBase64String(entries[0].PublicBlob));
        Assert.Equal(["", "the comment", ""], entries.Select(entry => entry.Comment));
        Assert.Equal(["web01", "web02", "[web03]:2222"], entries.Select(entry => entry.Hosts));
    }

    [Theory]
    [InlineData("*.example.test", "web01.example.test", 22, true)]
    [InlineData("*.example.test", "example.test", 22, false)]
    [InlineData("web0?", "web01", 22, true)]
    [InlineData("web0?", "web010", 22, false)]
    [InlineData("web0?", "web0", 22, false)]
    [InlineData("w*b*1", "web01", 22, true)]
    [InlineData("10.0.0.*", "10.0.0.5", 22, true)]
    [InlineData("*.example.test,!db*.example.test", "db01.example.test", 22, false)]
    [InlineData("!db*.example.test,*.example.test", "db01.example.test", 22, false)]
    [InlineData("!db*.example.test,*.example.test", "web01.example.test", 22, true)]
    [InlineData("!web01", "web02", 22, false)]
    [InlineData("WEB01.Example.Test", "web01.example.test", 22, true)]
    [InlineData("*.EXAMPLE.test", "Web01.example.TEST", 22, true)]
    [InlineData("[*.example.test]:2222", "web01.example.test", 2222, true)]
    [InlineData("[*.example.test]:2222", "web01.example.test", 22, false)]
    [InlineData("[web01]:2?22", "web01", 2222, true)]
    [InlineData("web01", "web01", 2222, false)]
    [InlineData("[web01]:22", "web01", 22, false)]
    [InlineData("*", "web01", 2222, true)]
    public void Patterns_match_as_ssh_keygen_F_matches_them(string patterns, string host, int port, bool matches)
    {
        var file = WriteFile($"{patterns} {_keys.Ed25519}");

        var found = KnownHosts.Parse(File.ReadAllText(file)).Find(host, port).Keys.Count == 1;

        Assert.Equal(matches, found);
        Assert.Equal(matches, SshKeygenFinds(file, host, port).Length == 1);
    }

    [Fact]
    public void Random_patterns_match_as_ssh_keygen_F_matches_them()
    {
        var pattern = Gen.String[Gen.Char["ab*?!"], 0, 4].Array[1, 3].Select(parts => string.Join(',', parts));
        var patternLines = pattern.Where(hosts => hosts.Length > 0).Array[1, 12];
        var host = Gen.String[Gen.Char["abAB"], 1, 5];

        Gen.Select(patternLines, host).Sample(
            (lines, name) =>
            {
                var file = WriteFile(lines.Select(hosts => $"{hosts} {_keys.Ed25519}").ToArray());

                var found = KnownHosts.Parse(File.ReadAllText(file)).Find(name, 22).Keys;

                Assert.Equal(SshKeygenFinds(file, name, 22), found.Select(entry => entry.LineNumber));
            },
            iter: 40,
            threads: 1);
    }

    [Fact]
    public void Revoked_and_certificate_authority_entries_are_reported_apart_from_host_keys()
    {
        var file = WriteFile(
            $"@revoked * {_keys.Ed25519}",
            $"@cert-authority *.example.test {_keys.Ecdsa}",
            $"web01.example.test {_keys.Ed25519}",
            $"web01.example.test {_keys.Rsa}",
            $"@cert-authority *.other.test {_keys.Ecdsa}");

        var match = KnownHosts.Parse(File.ReadAllText(file)).Find("web01.example.test", 22);

        Assert.Equal([3, 4], match.Keys.Select(entry => entry.LineNumber));
        Assert.Equal([1], match.Revoked.Select(entry => entry.LineNumber));
        Assert.Equal([2], match.CertificateAuthorities.Select(entry => entry.LineNumber));
        Assert.True(match.IsRevoked(match.Keys[0]));
        Assert.False(match.IsRevoked(match.Keys[1]));
        Assert.Equal([1, 2, 3, 4], SshKeygenFinds(file, "web01.example.test", 22));
    }

    [Fact]
    public void A_tab_after_a_marker_separates_it_as_a_space_does()
    {
        // OpenSSH 9.2 drops this line (it looks for the marker's end at the first space of the line);
        // PassMan reads it as sshd(8) describes the format, so the revoked key is still refused.
        var file = WriteFile($"@revoked\tweb01 {_keys.Ed25519}", $"web01 {_keys.Ed25519}");

        var match = KnownHosts.Parse(File.ReadAllText(file)).Find("web01", 22);

        Assert.Equal([1], match.Revoked.Select(entry => entry.LineNumber));
        Assert.True(match.IsRevoked(match.Keys.Single()));
        Assert.Equal([2], SshKeygenFinds(file, "web01", 22));
    }

    [Fact]
    public void Malformed_lines_are_reported_with_their_numbers_and_the_good_lines_still_read()
    {
        var ed25519 = _keys.Ed25519.Split(' ')[1];
        var blob = Convert.FromBase64String(ed25519);
        var lines = new[]
        {
            $"web01 {_keys.Ed25519}",
            "web02 ssh-ed25519 !!!not-base64!!!",
            $"web03 ssh-ed25519 {ed25519[..^1]}",
            $"web04 {_keys.Ed25519} # good, with a comment",
            $"web05 ssh-rsa {ed25519}",
            "web06",
            "web07 ssh-ed25519",
            "web08 ssh-ed25519 # no key",
            $"web09 ssh-ed25519 {Convert.ToBase64String(blob[..^4])}",
            $"web10 ssh-ed25519 {Convert.ToBase64String(blob.Append((byte)0).ToArray())}",
            $"web11 ssh-ed25519 {Convert.ToBase64String(new byte[] { 0, 0, 0, 99 })}",
            $"@bogus web12 {_keys.Ed25519}",
            "@revoked",
            $"@revoked @revoked web14 {_keys.Ed25519}",
            $"[web15]:2222 {_keys.Rsa}\r",
            $"web16 {StrayBits(_keys.Ecdsa)}",
        };
        var file = WriteFile(lines);

        var knownHosts = KnownHosts.Parse(File.ReadAllText(file));

        Assert.Equal(
            new[]
            {
                (2, "its key is not base64"),
                (3, "its key is not base64"),
                (5, "it names the key type ssh-rsa, but the key is of type ssh-ed25519"),
                (6, "it ends after the host names"),
                (7, "it ends after the key type"),
                (8, "it ends after the key type"),
                (9, "its key data is damaged: it ends early"),
                (10, "its key data is damaged: bytes follow the key"),
                (11, "its key data is damaged: it does not start with a key type"),
                (12, "its marker is neither @cert-authority nor @revoked"),
                (13, "it ends after its marker"),
                (14, "it has more than one marker"),
                (16, "its key is not base64"),
            },
            knownHosts.Problems.Select(problem => (problem.LineNumber, problem.Reason)));
        Assert.Equal([1, 4, 15], knownHosts.Entries.Select(entry => entry.LineNumber));
        Assert.Equal(SshKeygenFingerprints(file), Fingerprints(knownHosts.Entries));
        Assert.Equal("Line 2: its key is not base64.", knownHosts.Problems[0].ToString());
    }

    [Fact]
    public void A_hashed_name_that_is_not_1_salt_hash_is_reported()
    {
        // ssh-keygen -l lists these lines, as it looks up no host; ssh, which does, passes over them.
        var text = string.Join(
            '\n',
            $"|1|c2hvcnQ=|c2hvcnQ= {_keys.Ed25519}",
            $"|2|{new string('A', 27)}=|{new string('A', 27)}= {_keys.Ed25519}",
            $"|1|{new string('A', 27)}= {_keys.Ed25519}",
            $"|1|{new string('A', 27)}=|{new string('A', 27)}={_keys.Ed25519}");

        var knownHosts = KnownHosts.Parse(text);

        Assert.Empty(knownHosts.Entries);
        Assert.Equal([1, 2, 3, 4], knownHosts.Problems.Select(problem => problem.LineNumber));
        Assert.All(knownHosts.Problems, problem => Assert.Equal(
            "its hashed host name is not |1|salt|hash with a salt and hash of 20 bytes in base64",
            problem.Reason));
    }

    [Fact]
    public void Find_refuses_a_host_or_port_that_no_target_could_have()
    {
        var knownHosts = KnownHosts.Parse($"web01 {_keys.Ed25519}");

        VaultFixtures.Fails(ErrorIds.InvalidName, () => knownHosts.Find(string.Empty, 22));
        VaultFixtures.Fails(ErrorIds.InvalidName, () => knownHosts.Find("web 01", 22));
        VaultFixtures.Fails(ErrorIds.InvalidArgument, () => knownHosts.Find("web01", 0));
        VaultFixtures.Fails(ErrorIds.InvalidArgument, () => knownHosts.Find("web01", 65536));
    }

    [Fact]
    public void A_file_written_plain_or_hashed_finds_exactly_the_keys_written_for_each_host()
    {
        var host = Gen.Select(
            Gen.String[Gen.Char[HostChars], 1, 30],
            Gen.Frequency((2, Gen.Const(22)), (1, Gen.Int[1, 65535])),
            Gen.Byte.Array[32].Array[1, 3],
            Gen.Bool,
            Gen.Byte.Array[20],
            (name, port, keys, hashed, salt) => new WrittenHost(name, port, keys, hashed, salt));

        host.Array[1, 8].Sample(
            generated =>
            {
                var hosts = generated.DistinctBy(host => (host.Name.ToLowerInvariant(), host.Port)).ToList();
                bool IsWritten(string name, int port) => hosts.Any(host => host.Port == port
                    && string.Equals(host.Name, name, StringComparison.OrdinalIgnoreCase));

                var knownHosts = KnownHosts.Parse(string.Join('\n', hosts.SelectMany(host => host.Lines())));

                Assert.Empty(knownHosts.Problems);
                foreach (var host in hosts)
                {
                    var found = knownHosts.Find(SwapCase(host.Name), host.Port).Keys;
                    Assert.Equal(host.Keys.Select(Ed25519Line), found.Select(entry => entry.KeyType + " "
                        + Convert.ToBase64String(entry.PublicBlob)));

                    var otherPort = host.Port == 22 ? 2222 : 22;
                    if (!IsWritten(host.Name, otherPort))
                    {
                        Assert.Empty(knownHosts.Find(host.Name, otherPort).Keys);
                    }

                    if (!IsWritten(host.Name + "x", host.Port))
                    {
                        Assert.Empty(knownHosts.Find(host.Name + "x", host.Port).Keys);
                    }
                }
            },
            iter: 500);
    }

    [Fact]
    public void Reading_never_throws_on_random_text()
    {
        var known = Gen.Char[" \t\r\n,!*?[]:@#|=+/-.AZaz019"];
        var text = Gen.OneOf<string>(Gen.String, Gen.String[known, 0, 200], Gen.String[Gen.Char, 0, 500]);

        text.Sample(AssertReadsWithoutThrowing, iter: 20000);
    }

    [Fact]
    public void Reading_never_throws_on_mutations_of_good_lines()
    {
        var good = new[]
        {
            $"web01.example.test,10.0.0.5 {_keys.Ed25519} a comment",
            $"[web01.example.test]:2222 {_keys.Ecdsa}",
            $"{HashedName("web01.example.test", 22, new byte[20])} {_keys.Rsa}",
            $"@revoked * {_keys.Ed25519}",
            $"@cert-authority *.example.test,!db*.example.test {_keys.Ecdsa}",
        };
        var edit = Gen.Select(Gen.Int[0, 1000], Gen.Int[0, 2], Gen.Char[" \t\n,!*?[]:@#|=+/AZaz09\0\u00e9"]);
        var mutated = Gen.Select(Gen.Int[0, good.Length - 1], edit.Array[1, 6])
            .Select((line, edits) => edits.Aggregate(good[line], Mutate));

        mutated.Sample(AssertReadsWithoutThrowing, iter: 20000);
    }

    private static void AssertReadsWithoutThrowing(string text)
    {
        var knownHosts = KnownHosts.Parse(text);

        var numbers = knownHosts.Entries.Select(entry => entry.LineNumber)
            .Concat(knownHosts.Problems.Select(problem => problem.LineNumber)).ToList();
        Assert.Equal(numbers.Count, numbers.Distinct().Count());
        Assert.All(numbers, number => Assert.InRange(number, 1, text.Count(c => c == '\n') + 1));
        foreach (var entry in knownHosts.Entries)
        {
            Assert.Equal(entry.KeyType, new SshReader(entry.PublicBlob).Text());
            Assert.Equal(SshKey.FingerprintOf(entry.PublicBlob), entry.Fingerprint);
        }

        knownHosts.Find("web01.example.test", 22);
        knownHosts.Find("db01.example.test", 2222);
    }

    private static string Mutate(string line, (int At, int Kind, char Char) edit)
    {
        var at = edit.At % (line.Length + 1);
        return edit.Kind switch
        {
            0 => line.Insert(at, edit.Char.ToString()),
            1 when at < line.Length => line.Remove(at, 1),
            _ when at < line.Length => line[..at] + edit.Char + line[(at + 1)..],
            _ => line + edit.Char,
        };
    }

    /// <summary>The key with the unused low bits of its base64 set: .NET reads it, OpenSSH does not.</summary>
    private static string StrayBits(string keyLine)
    {
        Assert.EndsWith("=", keyLine, StringComparison.Ordinal);
        var end = keyLine.TrimEnd('=');
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        var last = Alphabet[Alphabet.IndexOf(end[^1], StringComparison.Ordinal) | 1];
        return end[..^1] + last + keyLine[end.Length..];
    }

    /// <summary>A host of the property test, with the keys written for it, plain or hashed.</summary>
    private sealed record WrittenHost(string Name, int Port, byte[][] Keys, bool Hashed, byte[] Salt)
    {
        public IEnumerable<string> Lines()
        {
            var hosts = Hashed ? HashedName(Name, Port, Salt) : LookupName(Name, Port);
            return Keys.Select(key => hosts + " " + Ed25519Line(key));
        }

        public override string ToString() => $"{Name} port {Port}, {Keys.Length} keys{(Hashed ? ", hashed" : "")}";
    }

    private static string LookupName(string host, int port) => port == 22 ? host : $"[{host}]:{port}";

    /// <summary>The host hashed as ssh-keygen -H hashes it, written here apart from the reader's own code.</summary>
    private static string HashedName(string host, int port, byte[] salt)
    {
        var name = Encoding.UTF8.GetBytes(LookupName(host, port).ToLowerInvariant());
#pragma warning disable CA5350 // The format's own hash.
        var hash = HMACSHA1.HashData(salt, name);
#pragma warning restore CA5350
        return $"|1|{Convert.ToBase64String(salt)}|{Convert.ToBase64String(hash)}";
    }

    private static string Ed25519Line(byte[] publicKey)
    {
        using var blob = new SshWriter();
        return "ssh-ed25519 " + Convert.ToBase64String(blob.String("ssh-ed25519").String(publicKey).ToArray());
    }

    private static string SwapCase(string name) =>
        string.Concat(name.Select(c => char.IsUpper(c) ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c)));

    private static List<string> Fingerprints(IEnumerable<KnownHostEntry> entries) =>
        entries.Select(entry => entry.Fingerprint).ToList();

    private string WriteFile(params string[] lines)
    {
        var path = _temp.File(Guid.NewGuid().ToString("N"));
        File.WriteAllText(path, string.Join('\n', lines) + "\n");
        return path;
    }

    /// <summary>
    /// The lines ssh-keygen -F finds for the host. It lower-cases the name for plain patterns but
    /// hashes it as given, so it is given the lower-case name that ssh itself looks up.
    /// </summary>
    private static int[] SshKeygenFinds(string file, string host, int port)
    {
        var (exitCode, output, error) = SshKeygen.TryRun("-F", LookupName(host, port).ToLowerInvariant(), "-f", file);
        Assert.True(exitCode is 0 or 1, $"ssh-keygen -F failed: {error}");
        return FoundLine().Matches(output)
            .Select(match => int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture))
            .ToArray();
    }

    /// <summary>The fingerprints ssh-keygen -l lists for a known_hosts file: its good lines without markers.</summary>
    private static List<string> SshKeygenFingerprints(string file) =>
        SshKeygen.Run("-l", "-f", file).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ')[1]).ToList();

    [GeneratedRegex(@"^# Host \S+ found: line (\d+)", RegexOptions.Multiline)]
    private static partial Regex FoundLine();
}
