using System;
using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;
using PassMan.Crypto;
using PassMan.Model;

namespace PassMan.Keys;

/// <summary>
/// An SSH key pair in OpenSSH's own encodings: the public key blob of authorized_keys, and the
/// private fields of the openssh-key-v1 format, kept in a buffer that is cleared on dispose.
/// </summary>
public sealed class SshKey : IDisposable
{
    private const string ArmorBegin = "-----BEGIN OPENSSH PRIVATE KEY-----";
    private const string ArmorEnd = "-----END OPENSSH PRIVATE KEY-----";
    private static readonly byte[] s_magic = Encoding.ASCII.GetBytes("openssh-key-v1\0");

    private readonly SecretBuffer _privateFields;

    internal SshKey(string keyType, byte[] publicBlob, SecretBuffer privateFields, int bits, string comment)
    {
        KeyType = keyType;
        PublicBlob = publicBlob;
        _privateFields = privateFields;
        Bits = bits;
        Comment = comment;
    }

    /// <summary>The key type: ssh-rsa, ecdsa-sha2-nistp256, ssh-dss or ssh-ed25519.</summary>
    public string KeyType { get; }

    /// <summary>The key size in bits.</summary>
    public int Bits { get; }

    /// <summary>The comment written after the public key and into the private key file.</summary>
    public string Comment { get; }

    /// <summary>The public key in the SSH wire encoding.</summary>
    public byte[] PublicBlob { get; }

    /// <summary>The fingerprint exactly as ssh-keygen -l prints it: SHA256: and unpadded base64.</summary>
    public string Fingerprint => FingerprintOf(PublicBlob);

    /// <summary>The public key as one authorized_keys line, without options.</summary>
    public string PublicKey => $"{KeyType} {Convert.ToBase64String(PublicBlob)}"
        + (string.IsNullOrEmpty(Comment) ? string.Empty : " " + Comment);

    /// <summary>The private fields (key type name and key numbers), for storing in the vault.</summary>
    internal ReadOnlySpan<byte> PrivateFields => _privateFields.Span;

    /// <summary>Generates a key of <paramref name="keyType"/>; <paramref name="rsaBits"/> applies to ssh-rsa.</summary>
    public static SshKey Generate(string keyType, int rsaBits, string comment) => SshKeyTypes.Require(keyType) switch
    {
        SshKeyTypes.Rsa => GenerateRsa(rsaBits, comment),
        SshKeyTypes.EcdsaP256 => GenerateEcdsa(comment),
        SshKeyTypes.Dsa => GenerateDsa(comment),
        _ => GenerateEd25519(comment),
    };

    /// <summary>
    /// The private key as an unencrypted OpenSSH private key file (openssh-key-v1, PEM armour), as
    /// ASCII bytes; ssh-keygen and ssh read it as it is. The caller disposes the buffer.
    /// </summary>
    public SecretBuffer ToOpenSshPrivateKey()
    {
        using var body = new SshWriter();
        var check = (uint)RandomNumberGenerator.GetInt32(int.MaxValue);
        body.UInt32(check).UInt32(check).Raw(_privateFields.Span).String(Comment);

        // Pad to the cipher block size, 8 for "none", with the bytes 1, 2, 3, ...
        for (byte pad = 1; body.Length % 8 != 0; pad++)
        {
            body.Raw([pad]);
        }

        using var file = new SshWriter();
        file.Raw(s_magic).String("none").String("none").String(ReadOnlySpan<byte>.Empty).UInt32(1)
            .String(PublicBlob);
        var section = body.ToArray();
        try
        {
            file.String(section);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(section);
        }

        var raw = file.ToArray();
        try
        {
            return Armor(raw);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(raw);
        }
    }

    /// <summary>A copy of the key with another comment; this one stays usable.</summary>
    public SshKey WithComment(string comment) =>
        new(KeyType, PublicBlob, new SecretBuffer(_privateFields.Span), Bits, comment);

    /// <inheritdoc/>
    public void Dispose() => _privateFields.Dispose();

    /// <summary>The fingerprint of any public key blob, in the form <see cref="Fingerprint"/> has.</summary>
    internal static string FingerprintOf(ReadOnlySpan<byte> publicBlob) =>
        "SHA256:" + Convert.ToBase64String(SHA256.HashData(publicBlob)).TrimEnd('=');

    internal static byte[] Magic => s_magic;

    internal static string ArmorBeginLine => ArmorBegin;

    internal static string ArmorEndLine => ArmorEnd;

    /// <summary>PEM armour, built in pinned buffers: no string ever holds the key in base64.</summary>
    private static SecretBuffer Armor(byte[] raw)
    {
        var base64Length = ((raw.Length + 2) / 3) * 4;
        var chars = GC.AllocateArray<char>(base64Length, pinned: true);
        try
        {
            Convert.TryToBase64Chars(raw, chars, out _);
            var lines = (base64Length + 69) / 70;
            var armored = new SecretBuffer(ArmorBegin.Length + 1 + base64Length + lines + ArmorEnd.Length + 1);
            var output = armored.Span;
            var at = Encoding.ASCII.GetBytes(ArmorBegin + "\n", output);
            for (var i = 0; i < base64Length; i += 70)
            {
                var line = Math.Min(70, base64Length - i);
                for (var k = 0; k < line; k++)
                {
                    output[at++] = (byte)chars[i + k];
                }

                output[at++] = (byte)'\n';
            }

            Encoding.ASCII.GetBytes(ArmorEnd + "\n", output[at..]);
            return armored;
        }
        finally
        {
            Array.Clear(chars);
        }
    }

    private static SshKey GenerateRsa(int bits, string comment)
    {
        using var rsa = RSA.Create(bits);
        var p = rsa.ExportParameters(includePrivateParameters: true);
        try
        {
            return FromRsa(p, comment);
        }
        finally
        {
            Clear(p.D, p.P, p.Q, p.DP, p.DQ, p.InverseQ);
        }
    }

    internal static SshKey FromRsa(RSAParameters p, string comment)
    {
        using var blob = new SshWriter();
        blob.String(SshKeyTypes.Rsa).MPInt(p.Exponent).MPInt(p.Modulus);
        using var fields = new SshWriter();
        fields.String(SshKeyTypes.Rsa).MPInt(p.Modulus).MPInt(p.Exponent).MPInt(p.D).MPInt(p.InverseQ)
            .MPInt(p.P).MPInt(p.Q);
        var bits = (int)SshReader.ToBigInteger(p.Modulus).GetBitLength();
        return new SshKey(SshKeyTypes.Rsa, blob.ToArray(), Secret(fields), bits, comment);
    }

    private static SshKey GenerateEcdsa(string comment)
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var p = ecdsa.ExportParameters(includePrivateParameters: true);
        try
        {
            return FromEcdsa(p.Q.X!, p.Q.Y!, p.D!, comment);
        }
        finally
        {
            Clear(p.D);
        }
    }

    internal static SshKey FromEcdsa(byte[] x, byte[] y, byte[] d, string comment)
    {
        var point = new byte[65];
        point[0] = 0x04;
        x.CopyTo(point, 1 + 32 - x.Length);
        y.CopyTo(point, 33 + 32 - y.Length);
        using var blob = new SshWriter();
        blob.String(SshKeyTypes.EcdsaP256).String("nistp256").String(point);
        using var fields = new SshWriter();
        fields.String(SshKeyTypes.EcdsaP256).String("nistp256").String(point).MPInt(d);
        return new SshKey(SshKeyTypes.EcdsaP256, blob.ToArray(), Secret(fields), 256, comment);
    }

    private static SshKey GenerateDsa(string comment)
    {
        // OpenSSH takes DSA keys of 1024 bits with a 160-bit q only (FIPS 186-2).
        using var dsa = DSA.Create(1024);
        var p = dsa.ExportParameters(includePrivateParameters: true);
        try
        {
            return FromDsa(p, comment);
        }
        finally
        {
            Clear(p.X);
        }
    }

    internal static SshKey FromDsa(DSAParameters p, string comment)
    {
        using var blob = new SshWriter();
        blob.String(SshKeyTypes.Dsa).MPInt(p.P).MPInt(p.Q).MPInt(p.G).MPInt(p.Y);
        using var fields = new SshWriter();
        fields.String(SshKeyTypes.Dsa).MPInt(p.P).MPInt(p.Q).MPInt(p.G).MPInt(p.Y).MPInt(p.X);
        return new SshKey(SshKeyTypes.Dsa, blob.ToArray(), Secret(fields), 1024, comment);
    }

    private static SshKey GenerateEd25519(string comment)
    {
        var privateKey = new Ed25519PrivateKeyParameters(new SecureRandom());
        var seed = privateKey.GetEncoded();
        try
        {
            return FromEd25519(seed, privateKey.GeneratePublicKey().GetEncoded(), comment);
        }
        finally
        {
            Clear(seed);
        }
    }

    internal static SshKey FromEd25519(byte[] seed, byte[] publicKey, string comment)
    {
        var secret = new byte[64];
        try
        {
            seed.CopyTo(secret, 0);
            publicKey.CopyTo(secret, 32);
            using var blob = new SshWriter();
            blob.String(SshKeyTypes.Ed25519).String(publicKey);
            using var fields = new SshWriter();
            fields.String(SshKeyTypes.Ed25519).String(publicKey).String(secret);
            return new SshKey(SshKeyTypes.Ed25519, blob.ToArray(), Secret(fields), 256, comment);
        }
        finally
        {
            Clear(secret);
        }
    }

    private static SecretBuffer Secret(SshWriter writer)
    {
        var bytes = writer.ToArray();
        try
        {
            return new SecretBuffer(bytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    private static void Clear(params byte[]?[] values)
    {
        foreach (var value in values)
        {
            if (value is not null)
            {
                CryptographicOperations.ZeroMemory(value);
            }
        }
    }
}
