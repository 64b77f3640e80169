using System;
using System.Formats.Asn1;
using System.IO;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using PassMan.Crypto;
using PassMan.Model;
using Renci.SshNet;
using Renci.SshNet.Common;
using Renci.SshNet.Security;

namespace PassMan.Keys;

/// <summary>
/// Reads an existing private key of any of the four types: OpenSSH's own format (openssh-key-v1),
/// read here; when it is encrypted, decrypted by SSH.NET; and the PEM formats of OpenSSL (PKCS#1,
/// PKCS#8, SEC1), read by .NET. The key type is found in the file.
/// </summary>
public static class SshKeyReader
{
    /// <summary>
    /// The most bcrypt-pbkdf rounds PassMan goes through to decrypt a key: ssh-keygen writes 16
    /// unless told otherwise (-a), and each round takes some 20 ms here.
    /// </summary>
    internal const int MaxKdfRounds = 1000;

    /// <summary>
    /// The most iterations PassMan goes through to decrypt an encrypted PKCS#8 key: OpenSSL and
    /// ssh-keygen write 2048, and a million take about a second.
    /// </summary>
    internal const int MaxPkcs8Iterations = 1_000_000;

    /// <summary>
    /// Reads the key in <paramref name="file"/> (the bytes of a key file); an encrypted key needs
    /// <paramref name="passphrase"/>, which is ignored for a plain one.
    /// </summary>
    public static SshKey Read(ReadOnlySpan<byte> file, ReadOnlySpan<char> passphrase)
    {
        var text = Encoding.ASCII.GetString(file);
        try
        {
            if (text.Contains(SshKey.ArmorBeginLine, StringComparison.Ordinal))
            {
                return ReadOpenSsh(text, file, passphrase);
            }

            if (text.Contains("-----BEGIN ", StringComparison.Ordinal))
            {
                return ReadPem(text, file, passphrase);
            }

            throw new PassManException(
                ErrorIds.UnsupportedKeyFormat,
                PassManErrorKind.InvalidData,
                "The file is not a private key PassMan reads: give an OpenSSH private key (ssh-keygen writes one) "
                    + "or a PEM private key.");
        }
        finally
        {
            // The text held the key in base64; overwrite the string's characters before they are collected.
            unsafe
            {
                fixed (char* chars = text)
                {
                    new Span<char>(chars, text.Length).Clear();
                }
            }
        }
    }

    private static SshKey ReadOpenSsh(string text, ReadOnlySpan<byte> file, ReadOnlySpan<char> passphrase)
    {
        var raw = Unarmor(text, SshKey.ArmorBeginLine, SshKey.ArmorEndLine);
        try
        {
            var reader = new SshReader(raw);
            if (!reader.Bytes(SshKey.Magic.Length).SequenceEqual(SshKey.Magic))
            {
                throw SshReader.Malformed("it lacks the openssh-key-v1 header");
            }

            var cipher = reader.Text();
            var kdf = reader.Text();
            var kdfOptions = reader.String();
            if (reader.UInt32() != 1)
            {
                throw SshReader.Malformed("it holds more than one key");
            }

            var publicBlob = reader.String().ToArray();
            var keyType = new SshReader(publicBlob).Text();
            if (cipher == "none" && kdf != "none")
            {
                // As OpenSSH has it: a key derivation without a cipher is damage, not a format.
                throw SshReader.Malformed("it names a key derivation but no cipher");
            }

            if (cipher != "none")
            {
                RequireFewRounds(kdf, kdfOptions);

                // aes256-ctr has no MAC, so damage to the ciphertext shows only here, as it does to ssh.
                var key = ReadEncrypted(file, passphrase, keyType);
                if (!key.PublicBlob.AsSpan().SequenceEqual(publicBlob))
                {
                    key.Dispose();
                    throw PublicKeyMismatch();
                }

                return key;
            }

            return ReadPrivateSection(reader.String(), publicBlob);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(raw);
        }
    }

    private static SshKey ReadPrivateSection(ReadOnlySpan<byte> section, byte[] publicBlob)
    {
        var reader = new SshReader(section);
        if (reader.UInt32() != reader.UInt32())
        {
            throw SshReader.Malformed("its check numbers differ: it is damaged");
        }

        var keyType = reader.Text();
        SshKey key;
        byte[]? secret = null;
        try
        {
            switch (keyType)
            {
                case SshKeyTypes.Rsa:
                    var n = reader.MPInt().ToArray();
                    var e = reader.MPInt().ToArray();
                    var parameters = new RSAParameters
                    {
                        Modulus = n,
                        Exponent = e,
                        D = reader.MPInt().ToArray(),
                        InverseQ = reader.MPInt().ToArray(),
                        P = reader.MPInt().ToArray(),
                        Q = reader.MPInt().ToArray(),
                    };
                    key = SshKey.FromRsa(parameters, comment: string.Empty);
                    Clear(parameters.D, parameters.InverseQ, parameters.P, parameters.Q);
                    break;
                case SshKeyTypes.Dsa:
                    var dsa = new DSAParameters
                    {
                        P = reader.MPInt().ToArray(),
                        Q = reader.MPInt().ToArray(),
                        G = reader.MPInt().ToArray(),
                        Y = reader.MPInt().ToArray(),
                        X = reader.MPInt().ToArray(),
                    };
                    key = SshKey.FromDsa(dsa, comment: string.Empty);
                    Clear(dsa.X);
                    break;
                case SshKeyTypes.EcdsaP256:
                    if (reader.Text() != "nistp256")
                    {
                        throw SshReader.Malformed("its curve is not nistp256");
                    }

                    var point = reader.String();
                    if (point.Length != 65 || point[0] != 0x04)
                    {
                        throw SshReader.Malformed("its public point is not an uncompressed P-256 point");
                    }

                    secret = reader.MPInt().ToArray();
                    var x = point[1..33].ToArray();
                    RequireEcdsaPair(x, point[33..].ToArray(), secret);
                    key = SshKey.FromEcdsa(x, point[33..].ToArray(), secret, comment: string.Empty);
                    break;
                case SshKeyTypes.Ed25519:
                    var publicKey = reader.String().ToArray();
                    secret = reader.String().ToArray();
                    if (publicKey.Length != 32 || secret.Length != 64)
                    {
                        throw SshReader.Malformed("its Ed25519 fields have the wrong length");
                    }

                    key = SshKey.FromEd25519(secret[..32], publicKey, comment: string.Empty);
                    break;
                default:
                    throw Unsupported(keyType);
            }
        }
        finally
        {
            Clear(secret);
        }

        using (key)
        {
            var comment = reader.Text();
            var padding = reader.Rest;
            for (var i = 0; i < padding.Length; i++)
            {
                if (padding[i] != i + 1)
                {
                    throw SshReader.Malformed("its padding is wrong: it is damaged");
                }
            }

            if (!key.PublicBlob.AsSpan().SequenceEqual(publicBlob))
            {
                throw PublicKeyMismatch();
            }

            return key.WithComment(comment);
        }
    }

    /// <summary>
    /// Fails unless <paramref name="d"/> is the private number of the point (x, y), which OpenSSL
    /// checks on import: a damaged number would read, and then sign nothing the target accepts.
    /// </summary>
    private static void RequireEcdsaPair(byte[] x, byte[] y, byte[] d)
    {
        if (d.Length > 32)
        {
            throw SshReader.Malformed("its private number is too large for P-256");
        }

        var padded = new byte[32];
        d.CopyTo(padded, 32 - d.Length);
        try
        {
            using var ecdsa = ECDsa.Create();
            ecdsa.ImportParameters(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = x, Y = y },
                D = padded,
            });
        }
        catch (CryptographicException)
        {
            throw SshReader.Malformed("its private number does not belong to its public point");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(padded);
        }
    }

    /// <summary>
    /// Refuses a key whose bcrypt-pbkdf asks for more than <see cref="MaxKdfRounds"/> rounds: the
    /// work grows with the rounds, and a damaged file may ask for billions, which would never end.
    /// </summary>
    private static void RequireFewRounds(string kdf, ReadOnlySpan<byte> options)
    {
        if (kdf != "bcrypt")
        {
            // SSH.NET refuses the other KDFs itself, before any work.
            return;
        }

        var reader = new SshReader(options);
        reader.String();
        var rounds = reader.UInt32();
        if (rounds > MaxKdfRounds)
        {
            throw new PassManException(
                ErrorIds.UnsupportedKeyFormat,
                PassManErrorKind.InvalidData,
                $"The private key's passphrase is stretched with {rounds} bcrypt rounds, more than the "
                    + $"{MaxKdfRounds} PassMan goes through. Re-encrypt a copy with fewer "
                    + "(ssh-keygen -p -a 100 -f <copy>) and import that.");
        }
    }

    private static SshKey ReadEncrypted(ReadOnlySpan<byte> file, ReadOnlySpan<char> passphrase, string keyType)
    {
        if (passphrase.IsEmpty)
        {
            throw new PassManException(
                ErrorIds.KeyPassphraseRequired,
                PassManErrorKind.InvalidArgument,
                "The private key is encrypted. Give its passphrase with -KeyPassphrase.");
        }

        if (keyType == SshKeyTypes.Dsa)
        {
            // SSH.NET, which decrypts OpenSSH keys here, no longer reads DSA keys at all.
            throw new PassManException(
                ErrorIds.UnsupportedKeyFormat,
                PassManErrorKind.InvalidData,
                "PassMan cannot decrypt an encrypted ssh-dss key. Remove the passphrase from a copy first "
                    + "(ssh-keygen -p -N '' -f <copy>) and import that.");
        }

        return ReadWithSshNet(file, passphrase);
    }

    private static SshKey ReadWithSshNet(ReadOnlySpan<byte> file, ReadOnlySpan<char> passphrase)
    {
        // SSH.NET takes the passphrase as a string: a copy PassMan cannot clear, kept only for this call.
        var phrase = passphrase.ToString();
        var copy = file.ToArray();
        Key key;
        try
        {
            using var stream = new MemoryStream(copy);
            key = new PrivateKeyFile(stream, phrase).Key;
        }
        catch (Exception e) when (e is SshException or InvalidOperationException or ArgumentException
            or CryptographicException or NotSupportedException or OverflowException or AsnContentException)
        {
            // The last three are how SSH.NET meets a length beyond 2 GiB, a negative key number, or
            // a damaged PKCS#1 structure.
            throw new PassManException(
                ErrorIds.WrongKeyPassphrase,
                PassManErrorKind.AuthenticationFailed,
                "The passphrase does not decrypt the private key, or the key is damaged.",
                innerException: e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(copy);
        }

        switch (key)
        {
            case RsaKey rsa:
                var parameters = new RSAParameters
                {
                    Modulus = Bytes(rsa.Modulus),
                    Exponent = Bytes(rsa.Exponent),
                    D = Bytes(rsa.D),
                    InverseQ = Bytes(rsa.InverseQ),
                    P = Bytes(rsa.P),
                    Q = Bytes(rsa.Q),
                };
                var fromRsa = SshKey.FromRsa(parameters, key.Comment ?? string.Empty);
                Clear(parameters.D, parameters.InverseQ, parameters.P, parameters.Q);
                return fromRsa;
            case EcdsaKey ecdsa:
                var ec = ecdsa.Ecdsa.ExportParameters(includePrivateParameters: true);
                try
                {
                    return SshKey.FromEcdsa(ec.Q.X!, ec.Q.Y!, ec.D!, key.Comment ?? string.Empty);
                }
                finally
                {
                    Clear(ec.D);
                }

            case ED25519Key ed25519:
                return SshKey.FromEd25519(ed25519.PrivateKey[..32], ed25519.PublicKey, key.Comment ?? string.Empty);
            default:
                throw Unsupported(key.ToString() ?? "unknown");
        }
    }

    private static SshKey ReadPem(string text, ReadOnlySpan<byte> file, ReadOnlySpan<char> passphrase)
    {
        if (text.Contains("Proc-Type: 4,ENCRYPTED", StringComparison.Ordinal))
        {
            return passphrase.IsEmpty
                ? throw new PassManException(
                    ErrorIds.KeyPassphraseRequired,
                    PassManErrorKind.InvalidArgument,
                    "The private key is encrypted. Give its passphrase with -KeyPassphrase.")
                : ReadWithSshNet(file, passphrase);
        }

        var encrypted = text.Contains("-----BEGIN ENCRYPTED PRIVATE KEY-----", StringComparison.Ordinal);
        if (encrypted && passphrase.IsEmpty)
        {
            throw new PassManException(
                ErrorIds.KeyPassphraseRequired,
                PassManErrorKind.InvalidArgument,
                "The private key is encrypted. Give its passphrase with -KeyPassphrase.");
        }

        if (encrypted)
        {
            RequireFewIterations(text);
        }

        if (text.Contains("-----BEGIN DSA PRIVATE KEY-----", StringComparison.Ordinal))
        {
            return ReadOpenSslDsa(text);
        }

        var key = ImportPem(RSA.Create(), text, passphrase, encrypted, FromRsa)
            ?? ImportPem(ECDsa.Create(), text, passphrase, encrypted, FromEcdsa)
            ?? ImportPem(DSA.Create(), text, passphrase, encrypted, FromDsa);
        if (key is not null)
        {
            return key;
        }

        if (encrypted)
        {
            throw new PassManException(
                ErrorIds.WrongKeyPassphrase,
                PassManErrorKind.AuthenticationFailed,
                "The passphrase does not decrypt the private key, or the key is damaged.");
        }

        throw new PassManException(
            ErrorIds.UnsupportedKeyFormat,
            PassManErrorKind.InvalidData,
            "The PEM file holds no RSA, ECDSA P-256 or DSA private key that PassMan can read.");
    }

    private static SshKey? ImportPem<T>(
        T algorithm,
        string text,
        ReadOnlySpan<char> passphrase,
        bool encrypted,
        Func<T, SshKey> convert)
        where T : AsymmetricAlgorithm
    {
        using (algorithm)
        {
            try
            {
                if (encrypted)
                {
                    algorithm.ImportFromEncryptedPem(text, passphrase);
                }
                else
                {
                    algorithm.ImportFromPem(text);
                }
            }
            catch (Exception e) when (e is ArgumentException or CryptographicException)
            {
                // Not this algorithm's key (or, encrypted, not this passphrase); the next algorithm is tried.
                return null;
            }

            return convert(algorithm);
        }
    }

    /// <summary>
    /// Refuses an encrypted PKCS#8 key whose key derivation asks for more than
    /// <see cref="MaxPkcs8Iterations"/> iterations, for the reason <see cref="RequireFewRounds"/>
    /// gives. The count sits in the PBKDF2 parameters of PBES2, or next to the salt in the older schemes.
    /// </summary>
    private static void RequireFewIterations(string text)
    {
        var der = Unarmor(text, "-----BEGIN ENCRYPTED PRIVATE KEY-----", "-----END ENCRYPTED PRIVATE KEY-----");
        BigInteger iterations;
        try
        {
            var algorithm = new AsnReader(der, AsnEncodingRules.BER).ReadSequence().ReadSequence();
            var scheme = algorithm.ReadObjectIdentifier();
            var parameters = algorithm.ReadSequence();
            if (scheme == "1.2.840.113549.1.5.13")
            {
                var derivation = parameters.ReadSequence();
                derivation.ReadObjectIdentifier();
                parameters = derivation.ReadSequence();
            }

            parameters.ReadOctetString();
            iterations = parameters.ReadInteger();
        }
        catch (AsnContentException)
        {
            throw SshReader.Malformed("its encryption parameters are damaged");
        }
        finally
        {
            Clear(der);
        }

        if (iterations > MaxPkcs8Iterations)
        {
            throw new PassManException(
                ErrorIds.UnsupportedKeyFormat,
                PassManErrorKind.InvalidData,
                $"The private key's passphrase is stretched with {iterations} iterations, more than the "
                    + $"{MaxPkcs8Iterations} PassMan goes through. Re-encrypt a copy with fewer and import that.");
        }
    }

    /// <summary>OpenSSL's own DSA format, which .NET does not import: SEQUENCE { 0, p, q, g, y, x }.</summary>
    private static SshKey ReadOpenSslDsa(string text)
    {
        var der = Unarmor(text, "-----BEGIN DSA PRIVATE KEY-----", "-----END DSA PRIVATE KEY-----");
        DSAParameters p = default;
        try
        {
            var sequence = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
            if (!sequence.ReadInteger().IsZero)
            {
                throw SshReader.Malformed("its DSA version is not 0");
            }

            p.P = Bytes(sequence.ReadInteger());
            p.Q = Bytes(sequence.ReadInteger());
            p.G = Bytes(sequence.ReadInteger());
            p.Y = Bytes(sequence.ReadInteger());
            p.X = Bytes(sequence.ReadInteger());
            return SshKey.FromDsa(p, string.Empty);
        }
        catch (AsnContentException)
        {
            throw SshReader.Malformed("its DSA structure is damaged");
        }
        finally
        {
            Clear(der, p.X);
        }
    }

    private static SshKey FromRsa(RSA rsa)
    {
        var p = rsa.ExportParameters(includePrivateParameters: true);
        try
        {
            return SshKey.FromRsa(p, string.Empty);
        }
        finally
        {
            Clear(p.D, p.P, p.Q, p.DP, p.DQ, p.InverseQ);
        }
    }

    private static SshKey FromEcdsa(ECDsa ecdsa)
    {
        var p = ecdsa.ExportParameters(includePrivateParameters: true);
        try
        {
            if (p.Curve.Oid.Value != "1.2.840.10045.3.1.7")
            {
                throw Unsupported("ECDSA on a curve other than P-256");
            }

            return SshKey.FromEcdsa(p.Q.X!, p.Q.Y!, p.D!, string.Empty);
        }
        finally
        {
            Clear(p.D);
        }
    }

    private static SshKey FromDsa(DSA dsa)
    {
        var p = dsa.ExportParameters(includePrivateParameters: true);
        try
        {
            return SshKey.FromDsa(p, string.Empty);
        }
        finally
        {
            Clear(p.X);
        }
    }

    private static byte[] Unarmor(string text, string begin, string end)
    {
        var start = text.IndexOf(begin, StringComparison.Ordinal) + begin.Length;
        var stop = text.IndexOf(end, start, StringComparison.Ordinal);
        if (stop < 0)
        {
            throw SshReader.Malformed("its closing line is missing");
        }

        // Decoded from the text in place: a substring would be one more uncleared copy of the key.
        var body = text.AsSpan(start, stop - start);
        var decoded = new byte[body.Length];
        try
        {
            if (!Convert.TryFromBase64Chars(body, decoded, out var written))
            {
                throw SshReader.Malformed("its body is not base64");
            }

            return decoded[..written];
        }
        finally
        {
            CryptographicOperations.ZeroMemory(decoded);
        }
    }

    private static byte[] Bytes(BigInteger value) => value.Sign < 0
        ? throw SshReader.Malformed("it holds a negative number where a key number belongs")
        : value.ToByteArray(isUnsigned: true, isBigEndian: true);

    private static PassManException PublicKeyMismatch() =>
        SshReader.Malformed("its public key does not belong to its private key");

    private static PassManException Unsupported(string keyType) => new(
        ErrorIds.UnsupportedKeyFormat,
        PassManErrorKind.InvalidData,
        $"The key type '{keyType}' is not one PassMan manages; use one of {string.Join(", ", SshKeyTypes.All)}.",
        keyType);

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
