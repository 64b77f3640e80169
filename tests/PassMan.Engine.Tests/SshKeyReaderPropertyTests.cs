using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Formats.Asn1;
using System.IO;
using System.Linq;
using System.Numerics;
using System.Text;
using CsCheck;
using PassMan.Keys;
using PassMan.Model;

namespace PassMan.Tests;

/// <summary>
/// One key of each type, small enough to mutate bit by bit: as PassMan writes it, as ssh-keygen
/// encrypts it (bcrypt-pbkdf with one round, so that a mutant costs little to decrypt, and
/// aes256-ctr), and in the PEM formats of OpenSSL. Made once for the class.
/// </summary>
public sealed class MutableKeys : IDisposable
{
    public const string Passphrase = "the right passphrase";

    private readonly TempFolder _temp = new();

    public MutableKeys()
    {
        foreach (var type in SshKeyTypes.All)
        {
            var key = SshKey.Generate(type, 1024, "mutable " + type);
            Keys[type] = key;
            using var file = key.ToOpenSshPrivateKey();
            Plain[type] = file.Span.ToArray();
            var path = _temp.WritePrivateKey(key);
            SshKeygen.Run("-q", "-p", "-a", "1", "-P", string.Empty, "-N", Passphrase, "-f", path);
            Encrypted[type] = File.ReadAllBytes(path);
        }

        foreach (var (name, type, format, passphrase) in new[]
        {
            ("dsa-pem", "dsa", "PEM", string.Empty),
            ("rsa-pem-encrypted", "rsa", "PEM", Passphrase),
            ("ecdsa-pkcs8-encrypted", "ecdsa", "PKCS8", Passphrase),
        })
        {
            var path = _temp.File(name);
            SshKeygen.Run("-q", "-t", type, "-b", type == "ecdsa" ? "256" : "1024", "-m", format, "-N", passphrase,
                "-f", path);
            Pem[name] = File.ReadAllBytes(path);
        }
    }

    public Dictionary<string, SshKey> Keys { get; } = new(StringComparer.Ordinal);

    /// <summary>The key files PassMan writes, unencrypted.</summary>
    public Dictionary<string, byte[]> Plain { get; } = new(StringComparer.Ordinal);

    /// <summary>The same keys encrypted by ssh-keygen -p with <see cref="Passphrase"/>.</summary>
    public Dictionary<string, byte[]> Encrypted { get; } = new(StringComparer.Ordinal);

    /// <summary>PEM files by ssh-keygen: plain DSA, RSA with Proc-Type encryption, encrypted PKCS#8 ECDSA.</summary>
    public Dictionary<string, byte[]> Pem { get; } = new(StringComparer.Ordinal);

    public void Dispose()
    {
        foreach (var key in Keys.Values)
        {
            key.Dispose();
        }

        _temp.Dispose();
    }
}

/// <summary>The base64 body of a PEM-armoured key file, taken out and put back apart from the product's code.</summary>
internal static class KeyFileBody
{
    /// <summary>The decoded body: what follows the BEGIN line (and the headers, if any) up to the END line.</summary>
    public static byte[] Of(byte[] file)
    {
        var (_, body, _) = Split(file);
        return Convert.FromBase64String(body);
    }

    /// <summary>The file with its body replaced by <paramref name="body"/>, in lines of 64 characters.</summary>
    public static byte[] With(byte[] file, ReadOnlySpan<byte> body)
    {
        var (head, _, tail) = Split(file);
        var base64 = Convert.ToBase64String(body);
        var text = new StringBuilder(head);
        for (var i = 0; i < base64.Length; i += 64)
        {
            text.Append(base64.AsSpan(i, Math.Min(64, base64.Length - i))).Append('\n');
        }

        return Encoding.ASCII.GetBytes(text.Append(tail).ToString());
    }

    public static byte[] Changed(byte[] file, Action<byte[]> change)
    {
        var body = Of(file);
        change(body);
        return With(file, body);
    }

    private static (string Head, string Body, string Tail) Split(byte[] file)
    {
        var text = Encoding.ASCII.GetString(file);
        var headEnd = text.IndexOf('\n', StringComparison.Ordinal) + 1;
        var headers = text.IndexOf("\n\n", StringComparison.Ordinal);
        headEnd = headers > 0 ? headers + 2 : headEnd;
        var tail = text.IndexOf("-----END ", StringComparison.Ordinal);
        var body = text[headEnd..tail].Replace("\n", string.Empty, StringComparison.Ordinal);
        return (text[..headEnd], body, text[tail..]);
    }
}

/// <summary>
/// Properties of the private key reader: whatever a key file holds, the reader either gives a key
/// or fails with one of its own error ids; it never throws anything else, and never works without end.
/// </summary>
public sealed class SshKeyReaderPropertyTests : IClassFixture<MutableKeys>, IDisposable
{
    private static readonly string[] s_damageIds =
    [
        ErrorIds.MalformedPrivateKey,
        ErrorIds.UnsupportedKeyFormat,
        ErrorIds.KeyPassphraseRequired,
        ErrorIds.WrongKeyPassphrase,
    ];

    // The values a damaged length field most likely takes, and those that break naive arithmetic.
    private static readonly uint[] s_lengths = [0, 1, 3, 0x7FFFFFFB, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFB, 0xFFFFFFFF];

    // SSH.NET, which decrypts OpenSSH keys, reads no DSA key.
    private static readonly string[] s_decryptable = [SshKeyTypes.Rsa, SshKeyTypes.EcdsaP256, SshKeyTypes.Ed25519];

    private readonly MutableKeys _keys;
    private readonly TempFolder _temp = new();

    public SshKeyReaderPropertyTests(MutableKeys keys) => _keys = keys;

    public static TheoryData<string> KeyTypes => new(SshKeyTypes.All);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Any_generated_key_read_back_from_its_file_has_the_same_type_public_line_fingerprint_and_comment()
    {
        // Comments are any text without surrogates: the file holds them as UTF-8. RSA sizes are
        // whole bytes, the only ones .NET generates.
        var comment = Gen.String[Gen.Char['\0', '\uD7FF'], 0, 60];
        var rsaBits = Gen.OneOf(Gen.Const(1024), Gen.Const(2048), Gen.Int[128, 160].Select(bytes => bytes * 8));

        Gen.Select(Gen.OneOf(SshKeyTypes.All.ToArray()), rsaBits, comment).Sample(
            (type, bits, text) =>
            {
                using var key = SshKey.Generate(type, bits, text);
                using var file = key.ToOpenSshPrivateKey();

                using var read = SshKeyReader.Read(file.Span, default);

                Assert.Equal(
                    (key.KeyType, key.PublicKey, key.Fingerprint, key.Bits, key.Comment),
                    (read.KeyType, read.PublicKey, read.Fingerprint, read.Bits, read.Comment));
                Assert.True(read.PrivateFields.SequenceEqual(key.PrivateFields));
            },
            iter: 40,
            threads: 1);
    }

    [Theory]
    [MemberData(nameof(KeyTypes))]
    public void A_key_file_cut_short_at_any_length_is_refused_with_a_PassMan_error_id(string keyType)
    {
        var file = _keys.Plain[keyType];
        var body = KeyFileBody.Of(file);

        // Cutting off the last line break alone leaves a whole key file.
        for (var length = 0; length < file.Length - 1; length++)
        {
            FailsWithItsOwnError(file[..length], string.Empty);
        }

        for (var length = 0; length < body.Length; length++)
        {
            var cut = KeyFileBody.With(file, body.AsSpan(0, length));
            Assert.Equal(ErrorIds.MalformedPrivateKey, FailsWithItsOwnError(cut, "x"));
        }
    }

    [Theory]
    [MemberData(nameof(KeyTypes))]
    public void Any_bit_flip_in_a_plain_key_file_reads_as_the_same_public_key_or_fails_with_a_PassMan_error_id(
        string keyType)
    {
        var file = _keys.Plain[keyType];
        var original = _keys.Keys[keyType];
        var bits = KeyFileBody.Of(file).Length * 8;

        for (var bit = 0; bit < bits; bit++)
        {
            var mutant = KeyFileBody.Changed(file, body => body[bit / 8] ^= (byte)(1 << (bit % 8)));

            // With a passphrase, a flip that makes the cipher name another goes on to SSH.NET.
            foreach (var passphrase in new[] { string.Empty, "x" })
            {
                using var read = ReadsOrFailsWithItsOwnError(mutant, passphrase);
                Assert.True(read is null || read.PublicBlob.AsSpan().SequenceEqual(original.PublicBlob));
            }
        }
    }

    [Theory]
    [MemberData(nameof(KeyTypes))]
    public void Any_four_bytes_of_a_plain_key_file_set_to_a_wild_length_never_fail_but_with_a_PassMan_error_id(
        string keyType)
    {
        var file = _keys.Plain[keyType];
        var length = KeyFileBody.Of(file).Length;

        for (var at = 0; at + 4 <= length; at++)
        {
            foreach (var value in s_lengths)
            {
                var mutant = KeyFileBody.Changed(
                    file,
                    body => BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(at), value));
                ReadsOrFailsWithItsOwnError(mutant, string.Empty)?.Dispose();
                ReadsOrFailsWithItsOwnError(mutant, "x")?.Dispose();
            }
        }
    }

    [Fact]
    public void Any_damage_to_an_encrypted_key_file_read_with_its_passphrase_never_fails_but_with_a_PassMan_error_id()
    {
        // Each mutant that gets past the header costs a key derivation, so these are sampled.
        var type = Gen.OneOf(s_decryptable);
        var flip = Gen.Select(Gen.Int[0, int.MaxValue], Gen.Int[0, 7]).Select(
            (at, bit) => new Mutation(
                $"flip bit {bit} of byte {{0}}",
                at,
                body => body[at % body.Length] ^= (byte)(1 << bit)));
        var length = Gen.Select(Gen.Int[0, int.MaxValue], Gen.OneOf(s_lengths)).Select(
            (at, value) => new Mutation(
                $"write {value:x8} at {{0}}",
                at,
                body => BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(at % (body.Length - 3)), value)));

        Gen.Select(type, Gen.OneOf(flip, length)).Sample(
            (keyType, mutation) =>
            {
                var mutant = KeyFileBody.Changed(_keys.Encrypted[keyType], mutation.Apply);

                using var read = ReadsOrFailsWithItsOwnError(mutant, MutableKeys.Passphrase);

                Assert.True(read is null || read.PublicBlob.AsSpan().SequenceEqual(_keys.Keys[keyType].PublicBlob));
            },
            iter: 200,
            threads: 1,
            print: sample => $"{sample.Item1}: {sample.Item2}");
    }

    [Theory]
    [InlineData("dsa-pem")]
    [InlineData("rsa-pem-encrypted")]
    [InlineData("ecdsa-pkcs8-encrypted")]
    public void Any_damage_to_a_PEM_key_file_never_fails_but_with_a_PassMan_error_id(string name)
    {
        var file = _keys.Pem[name];
        var mutation = Gen.Select(Gen.Int[0, int.MaxValue], Gen.Int[0, 7], Gen.Byte, Gen.Bool).Select(
            (at, bit, value, flip) => new Mutation(
                flip ? $"flip bit {bit} of byte {{0}}" : $"set byte {{0}} to {value:x2}",
                at,
                body => body[at % body.Length] = flip ? (byte)(body[at % body.Length] ^ (1 << bit)) : value));

        mutation.Sample(
            change =>
            {
                var mutant = KeyFileBody.Changed(file, change.Apply);

                ReadsOrFailsWithItsOwnError(mutant, MutableKeys.Passphrase)?.Dispose();
                ReadsOrFailsWithItsOwnError(mutant, string.Empty)?.Dispose();
            },
            // Each read of the PKCS#8 file derives its key once for each algorithm tried.
            iter: name.StartsWith("ecdsa-pkcs8", StringComparison.Ordinal) ? 100 : 600,
            threads: 1,
            print: change => change.ToString());
    }

    [Fact]
    public void Arbitrary_bytes_in_and_around_key_armour_never_fail_but_with_a_PassMan_error_id()
    {
        var labels = Gen.OneOf(
            "OPENSSH PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "DSA PRIVATE KEY", "PRIVATE KEY",
            "ENCRYPTED PRIVATE KEY");
        var armoured = Gen.Select(labels, Gen.Byte.Array[0, 400], Gen.Bool).Select((label, body, procType) =>
            Encoding.ASCII.GetBytes($"-----BEGIN {label}-----\n"
                + (procType ? "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\n" : "")
                + Convert.ToBase64String(body) + $"\n-----END {label}-----\n"));
        var ciphers = Gen.OneOf("none", "aes256-ctr", "aes256-gcm@openssh.com", "3des-cbc");
        var openSsh = Gen.Select(ciphers, Gen.Byte.Array[0, 300])
            .Select((cipher, rest) =>
            {
                using var writer = new SshWriter();
                writer.Raw(Encoding.ASCII.GetBytes("openssh-key-v1\0")).String(cipher).String("bcrypt").Raw(rest);
                return KeyFileBody.With(_keys.Plain[SshKeyTypes.Ed25519], writer.ToArray());
            });
        var input = Gen.OneOf(Gen.Byte.Array[0, 600], armoured, openSsh);

        Gen.Select(input, Gen.OneOf(string.Empty, "x")).Sample(
            (bytes, passphrase) => ReadsOrFailsWithItsOwnError(bytes, passphrase)?.Dispose(),
            iter: 3000,
            threads: 1);
    }

    [Fact]
    public void A_key_ssh_keygen_encrypted_reads_with_its_passphrase_and_a_wrong_or_missing_one_gives_its_id()
    {
        // ssh-keygen's own defaults here: 16 bcrypt rounds, aes256-ctr. Passphrases of five characters
        // or more, as ssh-keygen asks, in any script.
        var passphrase = Gen.String[Gen.Char['!', '\uD7FF'], 5, 24];

        Gen.Select(Gen.OneOf(s_decryptable), passphrase).Sample(
            (keyType, phrase) =>
            {
                var key = _keys.Keys[keyType];
                var path = _temp.WritePrivateKey(key);
                SshKeygen.Run("-q", "-p", "-P", string.Empty, "-N", phrase, "-f", path);
                var file = File.ReadAllBytes(path);

                using var read = SshKeyReader.Read(file, phrase);

                Assert.Equal((key.PublicKey, key.Fingerprint), (read.PublicKey, read.Fingerprint));
                Assert.True(read.PrivateFields.SequenceEqual(key.PrivateFields));
                VaultFixtures.Fails(ErrorIds.KeyPassphraseRequired, () => SshKeyReader.Read(file, default).Dispose());
                VaultFixtures.Fails(ErrorIds.WrongKeyPassphrase, () => SshKeyReader.Read(file, phrase + "!").Dispose());
            },
            iter: 2,
            threads: 1,
            print: sample => $"{sample.Item1} with passphrase '{sample.Item2}'");
    }

    [Fact]
    public void A_damaged_key_PassMan_still_reads_is_one_ssh_keygen_reads_to_the_same_public_key()
    {
        var mutant = Gen.Select(Gen.OneOf(SshKeyTypes.All.ToArray()), Gen.Int[0, int.MaxValue], Gen.Int[0, 7]);

        mutant.Sample(
            (keyType, at, bit) =>
            {
                var file = KeyFileBody.Changed(
                    _keys.Plain[keyType],
                    body => body[at % body.Length] ^= (byte)(1 << bit));
                using var read = ReadsOrFailsWithItsOwnError(file, string.Empty);
                if (read is null)
                {
                    return;
                }

                var path = _temp.File(Guid.NewGuid().ToString("N"));
                using (var stream = OwnerOnlyFiles.CreateNew(path))
                {
                    stream.Write(file);
                }

                var derived = SshKeygen.Run("-y", "-f", path).Trim().Split(' ');
                Assert.Equal(read.PublicKey.Split(' ')[..2], derived[..2]);
            },
            iter: 40,
            threads: 1,
            print: sample => $"{sample.Item1}, bit {sample.Item3} of byte {sample.Item2}");
    }

    [Fact]
    public void A_bcrypt_key_that_asks_for_billions_of_rounds_is_refused_before_any_round()
    {
        var file = KeyFileBody.Changed(
            _keys.Encrypted[SshKeyTypes.Ed25519],
            body => BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(RoundsOffset(body)), 0x01000010));

        var error = VaultFixtures.Fails(
            ErrorIds.UnsupportedKeyFormat,
            () => SshKeyReader.Read(file, MutableKeys.Passphrase).Dispose());

        Assert.Contains("16777232 bcrypt rounds", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bcrypt_key_with_as_many_rounds_as_PassMan_allows_is_not_refused_for_them()
    {
        var file = KeyFileBody.Changed(
            _keys.Encrypted[SshKeyTypes.Ed25519],
            body => BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(RoundsOffset(body)), SshKeyReader.MaxKdfRounds));

        // The passphrase is checked only after the rounds; a missing one shows they were let through.
        VaultFixtures.Fails(ErrorIds.KeyPassphraseRequired, () => SshKeyReader.Read(file, default).Dispose());
    }

    [Fact]
    public void A_length_beyond_2_GiB_inside_an_encrypted_key_is_a_PassMan_error()
    {
        // aes256-ctr has no MAC: a flipped bit of the ciphertext flips the same bit of the key type's
        // length, which SSH.NET then reads as more than 2 GiB.
        var file = KeyFileBody.Changed(
            _keys.Encrypted[SshKeyTypes.Ed25519],
            body => body[PrivateSectionOffset(body) + 8] ^= 0x80);

        VaultFixtures.Fails(
            ErrorIds.WrongKeyPassphrase,
            () => SshKeyReader.Read(file, MutableKeys.Passphrase).Dispose());
    }

    [Fact]
    public void A_negative_modulus_inside_an_encrypted_RSA_key_is_a_PassMan_error()
    {
        // The modulus starts with a zero byte, its sign; the flip makes it negative.
        var file = KeyFileBody.Changed(
            _keys.Encrypted[SshKeyTypes.Rsa],
            body => body[PrivateSectionOffset(body) + 8 + 4 + SshKeyTypes.Rsa.Length + 4] ^= 0x80);

        VaultFixtures.Fails(
            ErrorIds.WrongKeyPassphrase,
            () => SshKeyReader.Read(file, MutableKeys.Passphrase).Dispose());
    }

    [Fact]
    public void An_encrypted_key_whose_private_half_holds_another_public_key_is_refused_as_malformed()
    {
        // The flip lands on the Ed25519 seed inside the encrypted section; SSH.NET derives the
        // public key from the seed, so the key it reads is not the one the file names.
        var at = 8 + 4 + SshKeyTypes.Ed25519.Length + 4 + 32 + 4;
        var file = KeyFileBody.Changed(
            _keys.Encrypted[SshKeyTypes.Ed25519],
            body => body[PrivateSectionOffset(body) + at] ^= 0x01);

        VaultFixtures.Fails(
            ErrorIds.MalformedPrivateKey,
            () => SshKeyReader.Read(file, MutableKeys.Passphrase).Dispose());
    }

    [Fact]
    public void A_damaged_structure_inside_an_encrypted_PEM_key_is_a_PassMan_error()
    {
        // A PKCS#1 SEQUENCE that claims 4 GiB, encrypted as OpenSSL's Proc-Type format does it:
        // AES-128-CBC under MD5(passphrase, first 8 bytes of the IV).
        byte[] der = [0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF, 0x02, 0x01, 0x00];
        var iv = new byte[16];
        iv[0] = 0x5A;
#pragma warning disable CA5351 // The format's own key derivation.
        var key = System.Security.Cryptography.MD5.HashData(
            [.. Encoding.UTF8.GetBytes(MutableKeys.Passphrase), .. iv[..8]]);
#pragma warning restore CA5351
        using var aes = System.Security.Cryptography.Aes.Create();
        aes.Key = key;
        var body = aes.EncryptCbc(der, iv);
        var file = Encoding.ASCII.GetBytes("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
            + $"DEK-Info: AES-128-CBC,{Convert.ToHexString(iv)}\n\n{Convert.ToBase64String(body)}\n"
            + "-----END RSA PRIVATE KEY-----\n");

        VaultFixtures.Fails(
            ErrorIds.WrongKeyPassphrase,
            () => SshKeyReader.Read(file, MutableKeys.Passphrase).Dispose());
    }

    [Fact]
    public void A_plain_key_that_names_a_key_derivation_is_refused_as_ssh_keygen_refuses_it()
    {
        // The KDF name follows the magic and the cipher name "none"; its "none" becomes "nond".
        var file = KeyFileBody.Changed(_keys.Plain[SshKeyTypes.Ed25519], body => body[15 + 8 + 7] ^= 0x01);
        var path = _temp.File("kdf-without-cipher");
        using (var stream = OwnerOnlyFiles.CreateNew(path))
        {
            stream.Write(file);
        }

        VaultFixtures.Fails(ErrorIds.MalformedPrivateKey, () => SshKeyReader.Read(file, default).Dispose());
        Assert.NotEqual(0, SshKeygen.TryRun("-y", "-f", path).ExitCode);
    }

    [Fact]
    public void An_ECDSA_key_whose_private_number_is_not_that_of_its_point_is_refused_as_malformed()
    {
        var file = KeyFileBody.Changed(_keys.Plain[SshKeyTypes.EcdsaP256], body =>
        {
            var d = PrivateSectionOffset(body) + 8 + 4 + SshKeyTypes.EcdsaP256.Length + 4 + 8 + 4 + 65;
            body[d + 4 + (int)BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(d)) - 1] ^= 0x01;
        });

        VaultFixtures.Fails(ErrorIds.MalformedPrivateKey, () => SshKeyReader.Read(file, default).Dispose());
    }

    [Fact]
    public void An_OpenSSL_DSA_key_with_a_negative_number_is_refused_as_malformed()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(0);
            foreach (var value in new BigInteger[] { -7, 11, 2, 3, 5 })
            {
                writer.WriteInteger(value);
            }
        }

        var file = KeyFileBody.With(_keys.Pem["dsa-pem"], writer.Encode());

        VaultFixtures.Fails(ErrorIds.MalformedPrivateKey, () => SshKeyReader.Read(file, default).Dispose());
    }

    [Fact]
    public void An_encrypted_PKCS8_key_that_asks_for_billions_of_iterations_is_refused_before_any()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier("1.2.840.113549.1.5.13");
                using (writer.PushSequence())
                {
                    using (writer.PushSequence())
                    {
                        writer.WriteObjectIdentifier("1.2.840.113549.1.5.12");
                        using (writer.PushSequence())
                        {
                            writer.WriteOctetString(new byte[8]);
                            writer.WriteInteger(int.MaxValue);
                        }
                    }

                    using (writer.PushSequence())
                    {
                        writer.WriteObjectIdentifier("2.16.840.1.101.3.4.1.2");
                        writer.WriteOctetString(new byte[16]);
                    }
                }
            }

            writer.WriteOctetString(new byte[48]);
        }

        var file = KeyFileBody.With(_keys.Pem["ecdsa-pkcs8-encrypted"], writer.Encode());

        var error = VaultFixtures.Fails(
            ErrorIds.UnsupportedKeyFormat,
            () => SshKeyReader.Read(file, MutableKeys.Passphrase).Dispose());

        Assert.Contains("2147483647 iterations", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Where the bcrypt rounds sit in an openssh-key-v1 body: after the salt in the KDF options.</summary>
    private static int RoundsOffset(byte[] body) => Skip(body, Skip(body, 15, 2) + 4);

    /// <summary>Where the private section's bytes start: after the header, the key count and the public key.</summary>
    private static int PrivateSectionOffset(byte[] body) => Skip(body, Skip(body, 15, 3) + 4) + 4;

    /// <summary>The offset after <paramref name="strings"/> SSH strings that start at <paramref name="at"/>.</summary>
    private static int Skip(byte[] body, int at, int strings = 1)
    {
        for (var i = 0; i < strings; i++)
        {
            at += 4 + (int)BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(at));
        }

        return at;
    }

    /// <summary>The key the reader gave, or null when it failed with one of its error ids; others are thrown.</summary>
    private static SshKey? ReadsOrFailsWithItsOwnError(byte[] file, string passphrase)
    {
        try
        {
            return SshKeyReader.Read(file, passphrase);
        }
        catch (PassManException e)
        {
            Assert.Contains(e.ErrorId, s_damageIds);
            return null;
        }
    }

    private static string FailsWithItsOwnError(byte[] file, string passphrase)
    {
        var error = Assert.Throws<PassManException>(() => SshKeyReader.Read(file, passphrase).Dispose());
        Assert.Contains(error.ErrorId, s_damageIds);
        return error.ErrorId;
    }

    /// <summary>A change to a key file's body, described for the report of a failing sample.</summary>
    private sealed record Mutation(string Description, int At, Action<byte[]> Apply)
    {
        public override string ToString() => string.Format(
            System.Globalization.CultureInfo.InvariantCulture, Description, At);
    }
}
