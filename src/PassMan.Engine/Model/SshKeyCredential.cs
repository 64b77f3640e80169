using System.Security;
using PassMan.Keys;

namespace PassMan.Model;

/// <summary>
/// An SSH key as New-PMCredential returns it: the public half in clear, the private key file
/// (OpenSSH format) as a SecureString that only the caller can turn into text.
/// </summary>
public sealed class SshKeyCredential
{
    /// <summary>Copies what a caller may see of <paramref name="key"/>; the key itself stays the caller's.</summary>
    public SshKeyCredential(SshKey key, string? userName)
    {
        UserName = userName;
        KeyType = key.KeyType;
        Bits = key.Bits;
        Fingerprint = key.Fingerprint;
        PublicKey = key.PublicKey;
        using var file = key.ToOpenSshPrivateKey();
        PrivateKey = file.ToSecureString();
    }

    /// <summary>The account's user name, when the key belongs to an account.</summary>
    public string? UserName { get; }

    /// <summary>The key type.</summary>
    public string KeyType { get; }

    /// <summary>The key size in bits.</summary>
    public int Bits { get; }

    /// <summary>The SHA256 fingerprint, as ssh-keygen -l prints it.</summary>
    public string Fingerprint { get; }

    /// <summary>The public key as an authorized_keys line.</summary>
    public string PublicKey { get; }

    /// <summary>The private key file, OpenSSH format, unencrypted: write it with owner-only access.</summary>
    public SecureString PrivateKey { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{KeyType} {Fingerprint}";
}
