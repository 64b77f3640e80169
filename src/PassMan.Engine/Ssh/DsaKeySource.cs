using System;
using System.Collections.Generic;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using PassMan.Crypto;
using PassMan.Keys;
using PassMan.Model;
using Renci.SshNet;
using Renci.SshNet.Security;
using BigInteger = Org.BouncyCastle.Math.BigInteger;

namespace PassMan.Ssh;

/// <summary>
/// An ssh-dss key for SSH.NET's public key login. SSH.NET 2026 reads and signs no DSA keys any
/// more, so PassMan signs itself, with BouncyCastle's DSA (.NET's DSA is missing on macOS), as
/// RFC 4253 section 6.6 has it: SHA-1 over the data, then r and s of 20 bytes each.
/// </summary>
internal sealed class DsaKeySource : IPrivateKeySource, IDisposable
{
    /// <summary>ssh-dss signs with a 160-bit q (FIPS 186-2), so r and s fit in 20 bytes each.</summary>
    private const int QBits = 160;

    private readonly Signer _signer;

    /// <summary>Takes the key numbers from <paramref name="key"/>, which the caller may dispose afterwards.</summary>
    public DsaKeySource(SshKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var reader = new SshReader(key.PrivateFields);
        if (reader.Text() != SshKeyTypes.Dsa)
        {
            throw new ArgumentException($"The key is an {key.KeyType} key, not an ssh-dss key.", nameof(key));
        }

        var p = Number(reader.MPInt());
        var q = Number(reader.MPInt());
        var g = Number(reader.MPInt());
        var y = Number(reader.MPInt());
        if (q.BitLength != QBits)
        {
            throw SshReader.Malformed($"its DSA q has {q.BitLength} bits where ssh-dss takes {QBits}");
        }

        var x = new SecretBuffer(reader.MPInt());
        try
        {
            var domain = new DsaParameters(p, q, g);
            _signer = new Signer((byte[])key.PublicBlob.Clone(), new DsaPublicKeyParameters(y, domain), x);
        }
        catch (ArgumentException failure)
        {
            x.Dispose();
            throw SshReader.Malformed($"its DSA numbers do not form a key ({failure.Message})");
        }
    }

    /// <summary>The one algorithm of the key, ssh-dss.</summary>
    public IReadOnlyCollection<HostAlgorithm> HostKeyAlgorithms => [_signer];

    /// <summary>Clears the private number; signing fails from then on.</summary>
    public void Dispose() => _signer.Dispose();

    private static BigInteger Number(ReadOnlySpan<byte> unsignedBigEndian) => new(1, unsignedBigEndian);

    /// <summary>The ssh-dss signature algorithm over one key, as SSH.NET asks a key source for it.</summary>
    private sealed class Signer(byte[] publicBlob, DsaPublicKeyParameters publicKey, SecretBuffer x)
        : HostAlgorithm(SshKeyTypes.Dsa), IDisposable
    {
        /// <summary>The public key blob: string "ssh-dss", mpint p, q, g and y.</summary>
        public override byte[] Data => (byte[])publicBlob.Clone();

        /// <summary>The signature blob: string "ssh-dss", then a string of r and s, 20 bytes each.</summary>
        public override byte[] Sign(byte[] data)
        {
            ArgumentNullException.ThrowIfNull(data);

            // BouncyCastle keeps x and the nonce's state in arrays of its own that it cannot be
            // asked to clear; they live for this one signature, until the collector takes them.
            // The nonce comes from x and the data (RFC 6979), so no weak random source can repeat
            // it, which would give x away.
            var privateKey = new DsaPrivateKeyParameters(new BigInteger(1, x.Span), publicKey.Parameters);
            var dsa = new DsaDigestSigner(
                new DsaSigner(new HMacDsaKCalculator(new Sha1Digest())), new Sha1Digest(), PlainDsaEncoding.Instance);
            dsa.Init(forSigning: true, privateKey);
            dsa.BlockUpdate(data);

            using var blob = new SshWriter();
            return blob.String(SshKeyTypes.Dsa).String(dsa.GenerateSignature()).ToArray();
        }

        /// <summary>
        /// Whether <paramref name="signature"/>, a signature blob in the form <see cref="Sign"/> makes,
        /// signs <paramref name="data"/> with this key.
        /// </summary>
        public override bool VerifySignature(byte[] data, byte[] signature)
        {
            ArgumentNullException.ThrowIfNull(data);
            ArgumentNullException.ThrowIfNull(signature);
            var reader = new SshReader(signature);
            if (!reader.TryString(out var name) || !name.SequenceEqual("ssh-dss"u8)
                || !reader.TryString(out var rs) || rs.Length != 2 * QBits / 8 || !reader.AtEnd)
            {
                return false;
            }

            var dsa = new DsaDigestSigner(new DsaSigner(), new Sha1Digest(), PlainDsaEncoding.Instance);
            dsa.Init(forSigning: false, publicKey);
            dsa.BlockUpdate(data);
            return dsa.VerifySignature(rs.ToArray());
        }

        public void Dispose() => x.Dispose();
    }
}
