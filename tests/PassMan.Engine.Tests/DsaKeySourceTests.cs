using System;
using System.Diagnostics.CodeAnalysis;
using System.Linq;
using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using PassMan.Keys;
using PassMan.Model;
using PassMan.Ssh;
using Renci.SshNet.Security;
using BigInteger = Org.BouncyCastle.Math.BigInteger;

namespace PassMan.Tests;

/// <summary>Two DSA keys for the whole class, one to sign with and one that must not verify it.</summary>
public sealed class DsaKeys : IDisposable
{
    public SshKey Key { get; } = SshKey.Generate(SshKeyTypes.Dsa, 0, "PassMan dsa signer");

    public SshKey Other { get; } = SshKey.Generate(SshKeyTypes.Dsa, 0, "PassMan another dsa key");

    public void Dispose()
    {
        Key.Dispose();
        Other.Dispose();
    }
}

public sealed class DsaKeySourceTests : IClassFixture<DsaKeys>, IDisposable
{
    private static readonly byte[] s_data = "the data a server asks to be signed"u8.ToArray();

    private readonly DsaKeys _keys;
    private readonly DsaKeySource _source;

    public DsaKeySourceTests(DsaKeys keys)
    {
        _keys = keys;
        _source = new DsaKeySource(keys.Key);
    }

    public void Dispose() => _source.Dispose();

    private HostAlgorithm Signer => _source.HostKeyAlgorithms.Single();

    [Fact]
    public void HostKeyAlgorithms_is_one_ssh_dss_algorithm_with_the_keys_public_blob()
    {
        var algorithm = Assert.Single(_source.HostKeyAlgorithms);

        Assert.Equal(SshKeyTypes.Dsa, algorithm.Name);
        Assert.Equal(_keys.Key.PublicBlob, algorithm.Data);
    }

    [Fact]
    public void Sign_returns_a_blob_of_the_name_ssh_dss_and_r_and_s_of_20_bytes_each()
    {
        var blob = Signer.Sign(s_data);

        var reader = new SshReader(blob);
        Assert.Equal(SshKeyTypes.Dsa, reader.Text());
        Assert.Equal(40, reader.String().Length);
        Assert.True(reader.AtEnd);
        Assert.Equal(4 + 7 + 4 + 40, blob.Length);
    }

    [Fact]
    public void VerifySignature_accepts_what_Sign_made()
    {
        var blob = Signer.Sign(s_data);

        Assert.True(Signer.VerifySignature(s_data, blob));
    }

    [Fact]
    [SuppressMessage("Security", "CA5350", Justification = "ssh-dss signs the SHA-1 of the data (RFC 4253).")]
    public void BouncyCastle_verifies_r_and_s_over_the_SHA1_of_the_data_with_the_public_key_alone()
    {
        var (r, s) = RAndS(Signer.Sign(s_data));

        var verifier = new DsaSigner();
        verifier.Init(forSigning: false, PublicKeyOf(_keys.Key.PublicBlob));

        Assert.True(verifier.VerifySignature(SHA1.HashData(s_data), r, s));
    }

    // The blob: the name's length (bytes 0 to 3), "ssh-dss" (4 to 10), the length of r and s (11 to
    // 14), r (15 to 34) and s (35 to 54).
    [Theory]
    [InlineData(0)]
    [InlineData(8 * 4)]
    [InlineData(8 * 11)]
    [InlineData(8 * 15)]
    [InlineData(8 * 15 + 20 * 8 - 1)]
    [InlineData(8 * 15 + 20 * 8)]
    [InlineData(8 * 55 - 1)]
    public void VerifySignature_refuses_a_signature_blob_with_one_bit_flipped(int bit)
    {
        var blob = Signer.Sign(s_data);

        blob[bit / 8] ^= (byte)(0x80 >> (bit % 8));

        Assert.False(Signer.VerifySignature(s_data, blob));
    }

    [Fact]
    public void VerifySignature_refuses_data_with_one_bit_flipped()
    {
        var blob = Signer.Sign(s_data);
        var changed = (byte[])s_data.Clone();

        changed[^1] ^= 1;

        Assert.False(Signer.VerifySignature(changed, blob));
    }

    [Fact]
    public void VerifySignature_refuses_a_signature_of_another_dsa_key()
    {
        using var other = new DsaKeySource(_keys.Other);

        var blob = other.HostKeyAlgorithms.Single().Sign(s_data);

        Assert.False(Signer.VerifySignature(s_data, blob));
    }

    [Theory]
    [InlineData(-40)]
    [InlineData(-1)]
    [InlineData(1)]
    public void VerifySignature_refuses_a_blob_that_is_cut_short_or_has_more_after_it(int change)
    {
        var blob = Signer.Sign(s_data);
        var changed = change < 0 ? blob[..^-change] : [.. blob, .. new byte[change]];

        Assert.False(Signer.VerifySignature(s_data, changed));
    }

    [Fact]
    public void Sign_makes_the_same_signature_for_the_same_data_and_another_for_other_data()
    {
        var first = Signer.Sign(s_data);

        var again = Signer.Sign(s_data);
        var other = Signer.Sign([.. s_data, 0]);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Sign_fails_once_the_source_is_disposed()
    {
        var source = new DsaKeySource(_keys.Key);
        var signer = source.HostKeyAlgorithms.Single();

        source.Dispose();

        Assert.Throws<ObjectDisposedException>(() => signer.Sign(s_data));
    }

    [Fact]
    public void The_source_refuses_a_key_of_another_type()
    {
        using var key = SshKey.Generate(SshKeyTypes.Ed25519, 0, "not dsa");

        Assert.Throws<ArgumentException>(() => new DsaKeySource(key));
    }

    [Fact]
    public void The_source_refuses_a_dsa_key_whose_q_is_not_of_160_bits()
    {
        using var dsa = DSA.Create(2048);
        using var key = SshKey.FromDsa(dsa.ExportParameters(includePrivateParameters: true), "FIPS 186-3 key");

        var error = VaultFixtures.Fails(ErrorIds.MalformedPrivateKey, () => new DsaKeySource(key).Dispose());

        Assert.Contains("q has 256 bits", error.Message, StringComparison.Ordinal);
    }

    private static (BigInteger R, BigInteger S) RAndS(byte[] blob)
    {
        var reader = new SshReader(blob);
        reader.Text();
        var rs = reader.String();
        return (new BigInteger(1, rs[..20]), new BigInteger(1, rs[20..]));
    }

    private static DsaPublicKeyParameters PublicKeyOf(byte[] publicBlob)
    {
        var reader = new SshReader(publicBlob);
        Assert.Equal(SshKeyTypes.Dsa, reader.Text());
        var p = new BigInteger(1, reader.MPInt());
        var q = new BigInteger(1, reader.MPInt());
        var g = new BigInteger(1, reader.MPInt());
        var y = new BigInteger(1, reader.MPInt());
        return new DsaPublicKeyParameters(y, new DsaParameters(p, q, g));
    }
}
