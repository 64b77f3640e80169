using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using PassMan.Keys;
using PassMan.Model;

namespace PassMan.Ssh;

/// <summary>
/// An OpenSSH known_hosts file, read as sshd(8) describes it under SSH_KNOWN_HOSTS FILE FORMAT: one
/// key a line, after an optional marker and the hosts the key is for. Reading fails on nothing: a
/// line that cannot be read goes to <see cref="Problems"/>, and the lines after it are read as usual.
/// </summary>
public sealed class KnownHosts
{
    private const string Blanks = " \t";

    // The fields that follow the type name in the public keys OpenSSH knows, so that a cut-off key
    // is caught here and not pinned. Other types (certificates, types newer than this list) are
    // checked for their type name only.
    private static readonly Dictionary<string, int> s_fieldCounts = new(StringComparer.Ordinal)
    {
        [SshKeyTypes.Rsa] = 2,
        [SshKeyTypes.Dsa] = 4,
        [SshKeyTypes.Ed25519] = 1,
        [SshKeyTypes.EcdsaP256] = 2,
        ["ecdsa-sha2-nistp384"] = 2,
        ["ecdsa-sha2-nistp521"] = 2,
        ["sk-ssh-ed25519@openssh.com"] = 2,
        ["sk-ecdsa-sha2-nistp256@openssh.com"] = 3,
    };

    private KnownHosts(IReadOnlyList<KnownHostEntry> entries, IReadOnlyList<KnownHostsProblem> problems)
    {
        Entries = entries;
        Problems = problems;
    }

    /// <summary>The lines that hold a key, in file order.</summary>
    public IReadOnlyList<KnownHostEntry> Entries { get; }

    /// <summary>The lines that could not be read, in file order. ssh passes over such lines.</summary>
    public IReadOnlyList<KnownHostsProblem> Problems { get; }

    /// <summary>
    /// Reads the text of a known_hosts file. Blank lines and lines that start with # are passed over;
    /// lines end at LF, with or without a CR before it.
    /// </summary>
    public static KnownHosts Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);

        var entries = new List<KnownHostEntry>();
        var problems = new List<KnownHostsProblem>();
        var number = 0;
        foreach (var line in text.Split('\n'))
        {
            number++;
            var entry = ReadLine(number, line.AsSpan().TrimEnd('\r'), out var problem);
            if (entry is not null)
            {
                entries.Add(entry);
            }
            else if (problem is not null)
            {
                problems.Add(new KnownHostsProblem(number, problem));
            }
        }

        return new KnownHosts(entries, problems);
    }

    /// <summary>
    /// The entries that apply to <paramref name="host"/> on <paramref name="port"/>, looked up as ssh
    /// does: the name in lower case, written [host]:port when the port is not 22. So an entry for the
    /// host without a port is not used for port 2222, nor one for [host]:22 for port 22.
    /// </summary>
    public KnownHostMatch Find(string host, int port)
    {
        Names.RequireHostName(host);
        Names.RequirePort(port);

        var name = port == 22 ? host : $"[{host}]:{port.ToString(CultureInfo.InvariantCulture)}";
        var lookup = LowerAscii(Encoding.UTF8.GetBytes(name));
        return new KnownHostMatch(Entries.Where(entry => entry.Matches(lookup)).ToList());
    }

    /// <summary>
    /// Lower-cases UTF-8 bytes in place as OpenSSH does, ASCII letters only; ToLowerInvariant would
    /// also change letters that OpenSSH leaves as they are.
    /// </summary>
    internal static byte[] LowerAscii(byte[] bytes)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] is >= (byte)'A' and <= (byte)'Z')
            {
                bytes[i] += 'a' - 'A';
            }
        }

        return bytes;
    }

    /// <summary>The entry on the line; null for a blank or comment line, and for a bad one with the reason.</summary>
    private static KnownHostEntry? ReadLine(int number, ReadOnlySpan<char> line, out string? problem)
    {
        problem = null;
        var fields = new Fields(line);
        var hosts = fields.Next();
        if (hosts.IsEmpty || hosts[0] == '#')
        {
            return null;
        }

        // Fields are split at any run of spaces and tabs, as sshd(8) says. OpenSSH 9.2 itself drops a
        // marker line with a tab after the marker when a space follows later on; PassMan reads that
        // line, so that a key it revokes stays refused.
        var marker = KnownHostMarker.None;
        if (hosts[0] == '@')
        {
            switch (hosts)
            {
                case "@cert-authority":
                    marker = KnownHostMarker.CertificateAuthority;
                    break;
                case "@revoked":
                    marker = KnownHostMarker.Revoked;
                    break;
                default:
                    problem = "its marker is neither @cert-authority nor @revoked";
                    return null;
            }

            hosts = fields.Next();
            if (hosts.IsEmpty || hosts[0] == '#')
            {
                problem = "it ends after its marker";
                return null;
            }

            if (hosts[0] == '@')
            {
                problem = "it has more than one marker";
                return null;
            }
        }

        var matcher = HostMatcher.Read(hosts);
        if (matcher is null)
        {
            problem = "its hashed host name is not |1|salt|hash with a salt and hash of 20 bytes in base64";
            return null;
        }

        var keyType = fields.Next();
        if (keyType.IsEmpty || keyType[0] == '#')
        {
            problem = "it ends after the host names";
            return null;
        }

        var base64 = fields.Next();
        if (base64.IsEmpty || base64[0] == '#')
        {
            problem = "it ends after the key type";
            return null;
        }

        var blob = FromBase64(base64);
        var type = keyType.ToString();
        problem = blob is null ? "its key is not base64" : CheckBlob(type, blob);
        if (problem is not null)
        {
            return null;
        }

        return new KnownHostEntry(number, marker, hosts.ToString(), matcher, type, blob!, fields.Rest.ToString());
    }

    /// <summary>Why the blob does not hold a public key of <paramref name="keyType"/>; null when it does.</summary>
    private static string? CheckBlob(string keyType, byte[] blob)
    {
        var reader = new SshReader(blob);
        if (!reader.TryKeyType(out var inner))
        {
            return "its key data is damaged: it does not start with a key type";
        }

        if (inner != keyType)
        {
            return $"it names the key type {keyType}, but the key is of type {inner}";
        }

        if (!s_fieldCounts.TryGetValue(keyType, out var count))
        {
            return null;
        }

        for (var i = 0; i < count; i++)
        {
            if (!reader.TryString(out _))
            {
                return "its key data is damaged: it ends early";
            }
        }

        return reader.AtEnd ? null : "its key data is damaged: bytes follow the key";
    }

    /// <summary>
    /// Base64 in its one canonical form, or null. OpenSSH refuses what .NET would let pass (stray low
    /// bits in the last character), and compares hashed host names as text.
    /// </summary>
    internal static byte[]? FromBase64(ReadOnlySpan<char> text)
    {
        var bytes = new byte[text.Length / 4 * 3];
        if (!Convert.TryFromBase64Chars(text, bytes, out var written))
        {
            return null;
        }

        var decoded = bytes[..written];
        return Convert.ToBase64String(decoded).AsSpan().SequenceEqual(text) ? decoded : null;
    }

    /// <summary>Splits a line at runs of spaces and tabs, the only separators known_hosts has.</summary>
    private ref struct Fields
    {
        private ReadOnlySpan<char> _rest;

        public Fields(ReadOnlySpan<char> line) => _rest = line;

        /// <summary>The rest of the line without the blanks around it: the comment after the key.</summary>
        public readonly ReadOnlySpan<char> Rest => _rest.Trim(Blanks);

        public ReadOnlySpan<char> Next()
        {
            _rest = _rest.TrimStart(Blanks);
            var end = _rest.IndexOfAny(Blanks);
            var field = end < 0 ? _rest : _rest[..end];
            _rest = _rest[field.Length..];
            return field;
        }
    }
}

/// <summary>What a known_hosts line says of its key.</summary>
public enum KnownHostMarker
{
    /// <summary>No marker: the key is a host key of the hosts on the line.</summary>
    None,

    /// <summary>@cert-authority: the key signs host certificates for the hosts on the line.</summary>
    CertificateAuthority,

    /// <summary>@revoked: the key must never be accepted for the hosts on the line.</summary>
    Revoked,
}

/// <summary>A line of a known_hosts file that could not be read, and why.</summary>
public sealed record KnownHostsProblem(int LineNumber, string Reason)
{
    /// <inheritdoc/>
    public override string ToString() => $"Line {LineNumber}: {Reason}.";
}

/// <summary>One line of a known_hosts file that holds a key.</summary>
public sealed class KnownHostEntry
{
    private readonly HostMatcher _hosts;

    internal KnownHostEntry(
        int lineNumber,
        KnownHostMarker marker,
        string hosts,
        HostMatcher matcher,
        string keyType,
        byte[] publicBlob,
        string comment)
    {
        LineNumber = lineNumber;
        Marker = marker;
        Hosts = hosts;
        _hosts = matcher;
        KeyType = keyType;
        PublicBlob = publicBlob;
        Comment = comment;
    }

    /// <summary>The line of the file, counted from 1.</summary>
    public int LineNumber { get; }

    /// <summary>Whether the key is a host key, a certificate authority or revoked.</summary>
    public KnownHostMarker Marker { get; }

    /// <summary>The host field as written: comma-separated patterns, or one hashed name |1|salt|hash.</summary>
    public string Hosts { get; }

    /// <summary>Whether the host field is a hashed name, which hides the host it is for.</summary>
    public bool IsHashed => _hosts.IsHashed;

    /// <summary>The key type, as the line and the key itself both name it.</summary>
    public string KeyType { get; }

    /// <summary>The public key in the SSH wire encoding.</summary>
    public byte[] PublicBlob { get; }

    /// <summary>The fingerprint exactly as ssh-keygen -l prints it: SHA256: and unpadded base64.</summary>
    public string Fingerprint => SshKey.FingerprintOf(PublicBlob);

    /// <summary>What follows the key on the line, or an empty string.</summary>
    public string Comment { get; }

    internal bool Matches(byte[] lookup) => _hosts.Matches(lookup);
}

/// <summary>The known_hosts entries that apply to one host and port, sorted by what they say of their key.</summary>
public sealed class KnownHostMatch
{
    internal KnownHostMatch(IReadOnlyList<KnownHostEntry> entries)
    {
        Keys = entries.Where(entry => entry.Marker == KnownHostMarker.None).ToList();
        Revoked = entries.Where(entry => entry.Marker == KnownHostMarker.Revoked).ToList();
        CertificateAuthorities = entries.Where(entry => entry.Marker == KnownHostMarker.CertificateAuthority).ToList();
    }

    /// <summary>
    /// The host keys, one per line that applies, in file order; a key may be listed twice. A key that
    /// is also in <see cref="Revoked"/> is one ssh refuses, and must not be pinned.
    /// </summary>
    public IReadOnlyList<KnownHostEntry> Keys { get; }

    /// <summary>The @revoked keys that apply to the host.</summary>
    public IReadOnlyList<KnownHostEntry> Revoked { get; }

    /// <summary>
    /// The @cert-authority keys that apply: they vouch for host certificates, and are not host keys
    /// that PassMan can pin.
    /// </summary>
    public IReadOnlyList<KnownHostEntry> CertificateAuthorities { get; }

    /// <summary>Whether an @revoked entry for the host holds the same key as <paramref name="entry"/>.</summary>
    public bool IsRevoked(KnownHostEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return Revoked.Any(revoked => revoked.PublicBlob.AsSpan().SequenceEqual(entry.PublicBlob));
    }
}

/// <summary>The host field of a known_hosts line: a list of patterns, or one hashed host name.</summary>
internal sealed class HostMatcher
{
    private const int HashLength = 20;

    private readonly (byte[] Glob, bool Negated)[] _patterns;
    private readonly byte[]? _salt;
    private readonly byte[]? _hash;

    private HostMatcher((byte[] Glob, bool Negated)[] patterns, byte[]? salt, byte[]? hash)
    {
        _patterns = patterns;
        _salt = salt;
        _hash = hash;
    }

    public bool IsHashed => _hash is not null;

    /// <summary>The matcher for a host field; null for a hashed name that is not |1|salt|hash.</summary>
    public static HostMatcher? Read(ReadOnlySpan<char> field)
    {
        if (field[0] == '|')
        {
            if (!field.StartsWith("|1|", StringComparison.Ordinal))
            {
                return null;
            }

            var rest = field[3..];
            var bar = rest.IndexOf('|');
            var salt = bar < 0 ? null : KnownHosts.FromBase64(rest[..bar]);
            var hash = bar < 0 ? null : KnownHosts.FromBase64(rest[(bar + 1)..]);
            return salt?.Length == HashLength && hash?.Length == HashLength ? new HostMatcher([], salt, hash) : null;
        }

        var patterns = field.ToString().Split(',')
            .Select(pattern => pattern.StartsWith('!') ? (pattern[1..], true) : (pattern, false))
            .Select(pattern => (KnownHosts.LowerAscii(Encoding.UTF8.GetBytes(pattern.Item1)), pattern.Item2))
            .ToArray();
        return new HostMatcher(patterns, null, null);
    }

    /// <summary>
    /// Whether the host applies. <paramref name="lookup"/> is the lower-case name, [host]:port for a
    /// port other than 22. Any negated pattern that matches rules the host out, wherever it stands.
    /// </summary>
    public bool Matches(byte[] lookup)
    {
        if (_hash is not null)
        {
#pragma warning disable CA5350 // The known_hosts format fixes HMAC-SHA1 for hashed host names.
            return HMACSHA1.HashData(_salt!, lookup).AsSpan().SequenceEqual(_hash);
#pragma warning restore CA5350
        }

        var matched = false;
        foreach (var (glob, negated) in _patterns)
        {
            if (Glob(lookup, glob))
            {
                if (negated)
                {
                    return false;
                }

                matched = true;
            }
        }

        return matched;
    }

    /// <summary>OpenSSH's wildcards: * for any run of bytes, ? for exactly one byte; nothing else is special.</summary>
    private static bool Glob(ReadOnlySpan<byte> name, ReadOnlySpan<byte> pattern)
    {
        // Greedy, going back to the last * on a mismatch: the same answers as OpenSSH's recursion,
        // in at most name length times pattern length steps.
        int n = 0, p = 0, star = -1, starAt = 0;
        while (n < name.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                starAt = n;
            }
            else if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == name[n]))
            {
                n++;
                p++;
            }
            else if (star >= 0)
            {
                p = star + 1;
                n = ++starAt;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
