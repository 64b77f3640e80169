using System;
using System.Collections.Generic;
using System.Linq;
using PassMan.Keys;

namespace PassMan.Ssh;

/// <summary>A host key a server offered or the vault pins: its type and its public key blob.</summary>
public sealed class HostKey : IEquatable<HostKey>
{
    private readonly byte[] _blob;

    /// <summary>
    /// Reads the key type from the blob itself. A blob too short to name one fails with
    /// MalformedPrivateKey, the id of the wire reader the key files share, although this is a
    /// public key.
    /// </summary>
    public HostKey(byte[] blob)
    {
        ArgumentNullException.ThrowIfNull(blob);
        var reader = new SshReader(blob);
        KeyType = reader.Text();
        _blob = (byte[])blob.Clone();
        Fingerprint = SshKey.FingerprintOf(_blob);
    }

    /// <summary>The key type, as the blob names it: ssh-ed25519, ecdsa-sha2-nistp256, ssh-rsa...</summary>
    public string KeyType { get; }

    /// <summary>The SHA-256 fingerprint as ssh-keygen -l prints it.</summary>
    public string Fingerprint { get; }

    /// <summary>The key type and fingerprint, as messages and reports name the key.</summary>
    public string Label => $"{KeyType} {Fingerprint}";

    /// <summary>The public key blob in the SSH wire encoding.</summary>
    public ReadOnlySpan<byte> Blob => _blob;

    /// <summary>The key as known_hosts and authorized_keys write it: type and base64 blob.</summary>
    public override string ToString() => $"{KeyType} {Convert.ToBase64String(_blob)}";

    /// <inheritdoc/>
    public bool Equals(HostKey? other) => other is not null && _blob.AsSpan().SequenceEqual(other._blob);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as HostKey);

    /// <inheritdoc/>
    public override int GetHashCode() => Fingerprint.GetHashCode(StringComparison.Ordinal);
}

/// <summary>
/// The host key types PassMan pins, each with the signature algorithms that use a key of that
/// type, in the order a client prefers them. Certificates are left out: PassMan pins keys.
/// </summary>
public static class HostKeyTypes
{
    private static readonly (string KeyType, string[] Algorithms)[] s_types =
    [
        ("ssh-ed25519", ["ssh-ed25519"]),
        ("ecdsa-sha2-nistp256", ["ecdsa-sha2-nistp256"]),
        ("ecdsa-sha2-nistp384", ["ecdsa-sha2-nistp384"]),
        ("ecdsa-sha2-nistp521", ["ecdsa-sha2-nistp521"]),
        ("ssh-rsa", ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"]),
    ];

    /// <summary>Every key type, in the client's order of preference.</summary>
    public static IReadOnlyList<string> All { get; } = s_types.Select(t => t.KeyType).ToArray();

    /// <summary>The signature algorithms that verify with a key of <paramref name="keyType"/>.</summary>
    public static IReadOnlyList<string> AlgorithmsOf(string keyType) =>
        s_types.FirstOrDefault(t => t.KeyType == keyType).Algorithms ?? [];
}
